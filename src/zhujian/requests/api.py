"""Data requests over the API: the same steps as the pages, through the same service, so
the rules (scope, deadlines, approval levels, reasons) hold alike.

- ``GET  /api/requests/submissions/`` — the submissions the user may see;
- ``GET  /api/requests/submissions/<id>/`` — one, with its answers and events;
- ``POST /api/requests/submissions/<id>/<action>/`` — ``answers`` (``{"values":
  {"<measure id>": "<value>"}}``), ``submit``, ``withdraw``, ``approve``, ``return`` and
  ``unapprove`` (``{"reason": "…"}``).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhujian.requests import service
from zhujian.requests.models import Assignment

VIA = "api"
MAX_LISTED = 500

MAX_ID = 2**63 - 1


def as_json(a: Assignment, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": a.pk,
        "request": a.request_id,
        "title": a.request.title,
        "period": a.request.period_code,
        "deadline": a.request.deadline.isoformat(),
        "unit": a.unit.code,
        "unit_name": a.unit.name,
        "status": a.status,
        "status_label": service.status_label(a),
        "outcome": service.outcome(a),
        "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
        "approved_levels": a.request.levels[: a.approved],
        "levels": a.request.levels,
        "return_reason": a.return_reason,
    }
    if full:
        out["answers"] = (
            [
                {
                    "measure": ans.measure_id,
                    "label": ans.measure.label,
                    "value": ans.value,
                    "prefilled": ans.prefilled,
                }
                for ans in service.prefill(a)
            ]
            if a.request.kind == "form"
            else []
        )
        out["events"] = [
            {"action": e.action, "level": e.level, "at": e.at.isoformat(), "reason": e.reason}
            for e in a.events.all()
        ]
    return out


def _get(request: Request, pk: int) -> Assignment:
    if pk > MAX_ID:  # beyond any table's ids (and SQLite's integers)
        raise Http404("没有这条记录")
    found = service.visible_assignments(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404("没有这份报送，或不在您的管辖范围内")
    return found


class SubmissionList(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="报送列表", responses=OpenApiTypes.OBJECT, operation_id="requests_submissions_list"
    )
    def get(self, request: Request) -> Response:
        qs = service.visible_assignments(request.user).order_by("-request__deadline", "pk")
        return Response([as_json(a) for a in qs[:MAX_LISTED]])


class SubmissionDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="报送详情",
        responses=OpenApiTypes.OBJECT,
        operation_id="requests_submissions_detail",
    )
    def get(self, request: Request, pk: int) -> Response:
        a = _get(request, pk)
        service.lapse(a)
        return Response(as_json(a, full=True))


class SubmissionStep(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="报送与审核操作", request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT
    )
    def post(self, request: Request, pk: int, action: str) -> Response:
        a = _get(request, pk)
        data = request.data if isinstance(request.data, dict) else {}
        reason = str(data.get("reason", ""))[:1000]
        try:
            if action == "answers":
                raw = data.get("values")
                if not isinstance(raw, dict) or len(raw) > service.MAX_MEASURES:
                    raise ValidationError(
                        {"values": f"应为对象：数据项编号 → 值（至多 {service.MAX_MEASURES} 项）"}
                    )
                values = {}
                for key, value in raw.items():
                    if not str(key).isdigit() or len(str(key)) > 12:
                        raise ValidationError({"values": f"数据项编号“{key}”应为数字"})
                    values[int(key)] = str(value)[:1000]
                service.save_answers(a, request.user, values, via=VIA)
            elif action == "submit":
                service.submit(a, request.user, via=VIA)
            elif action == "withdraw":
                service.withdraw(a, request.user, via=VIA)
            elif action == "approve":
                service.approve(a, request.user, via=VIA)
            elif action == "return":
                service.send_back(a, request.user, reason, via=VIA)
            elif action == "unapprove":
                service.unapprove(a, request.user, reason, via=VIA)
            else:
                raise Http404(f"没有操作“{action}”")
        except service.RequestRefused as exc:
            raise PermissionDenied(str(exc)) from None
        a = _get(request, pk)
        return Response(as_json(a, full=True))
