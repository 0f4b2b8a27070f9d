"""API of the hazard loop: list open/overdue hazards, register one, apply a step.

    GET  /hazards/api/?line=gas&township=<id>&status=&overdue=1
    POST /hazards/api/                      register (fields of the register form;
                                            optional ``source_ledger`` + ``source_record``)
    POST /hazards/api/<id>/notice/          notice_number, notice_issued_on, notice_deadline
    POST /hazards/api/<id>/rectify/         rectified_on, rectification_evidence
    POST /hazards/api/<id>/verify/          verified_on, verified_by

Each write is a model save, so it lands in the audit trail with the requesting user.
A step answers with the hazard's ``ETag``; sent back as ``If-Match`` (the ETag of
``/api/ledgers/hazards_hazard/<id>/`` works too), a step on a hazard changed meanwhile is
refused with 412.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhujian.core import scope, versions
from zhujian.core.registry import registry
from zhujian.hazards import loop
from zhujian.hazards.forms import HazardForm, editable_lines
from zhujian.hazards.models import Hazard


class HazardSerializer(serializers.ModelSerializer):
    overdue = serializers.BooleanField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    line_display = serializers.CharField(source="get_line_display", read_only=True)

    class Meta:
        model = Hazard
        exclude = ["photo", "evidence_file"]


def _form_data(data: Any) -> QueryDict:
    """JSON or form data as a QueryDict, which Django forms expect."""
    if isinstance(data, QueryDict):
        return data
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query[key] = "" if value is None else str(value)
    return query


class HazardListAPI(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        qs = loop.filtered(request.user, request.query_params)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(HazardSerializer(page, many=True).data)

    def post(self, request: Request) -> Response:
        if not editable_lines(request.user):
            return Response({"detail": "您没有可登记隐患的业务条线"}, status=403)
        form = HazardForm(_form_data(request.data), request.FILES, user=request.user)
        source = None
        name, pk = request.data.get("source_ledger"), request.data.get("source_record")
        if name and pk:
            try:
                ledger = registry.get(str(name))
            except KeyError:
                return Response({"source_ledger": ["没有这个台账"]}, status=400)
            records = scope.restrict(ledger.model._default_manager.all(), request.user)
            source = records.filter(pk=pk).first()
            if source is None:
                return Response({"source_record": ["找不到该检查记录"]}, status=400)
        if not form.is_valid():
            return Response(loop.errors_of(form), status=400)
        hazard = form.save(commit=False)
        if source is not None:
            hazard.link(source)
        hazard._change_reason = "登记隐患"
        hazard.save()
        return Response(HazardSerializer(hazard).data, status=status.HTTP_201_CREATED)


class HazardStepAPI(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request: Request, pk: int, step: str) -> Response:
        hazard = loop.get_for_change(request.user, pk)
        form = loop.apply_step(
            hazard,
            step,
            _form_data(request.data),
            request.FILES,
            if_match=request.headers.get("If-Match", ""),
        )
        if form.conflict is not None:
            return Response({"detail": versions.api_message(form.conflict)}, status=412)
        if form.errors:
            return Response(loop.errors_of(form), status=400)
        return Response(
            HazardSerializer(form.instance).data, headers={"ETag": versions.etag(form.instance)}
        )
