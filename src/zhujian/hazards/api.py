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
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
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
from zhujian.hazards.workflows import HAZARD_WORKFLOW


class HazardLoopSerializer(serializers.ModelSerializer):
    """A hazard with its computed state (named apart from the generic ledger serializer)."""

    overdue = serializers.BooleanField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    line_display = serializers.CharField(source="get_line_display", read_only=True)
    next_action = serializers.SerializerMethodField(help_text="谁须在何时前办理下一步")

    def get_next_action(self, obj: Hazard) -> str:
        return HAZARD_WORKFLOW.next_action(obj)

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

    @extend_schema(
        operation_id="hazards_list",
        summary="隐患清单（默认只列未销号的）",
        parameters=[
            OpenApiParameter("line", OpenApiTypes.STR, description="业务条线代码"),
            OpenApiParameter("township", OpenApiTypes.INT, description="乡镇（街道）编号"),
            OpenApiParameter("status", OpenApiTypes.STR, description="状态；all 为全部"),
            OpenApiParameter("overdue", OpenApiTypes.BOOL, description="只列逾期未销号的"),
            OpenApiParameter("page", OpenApiTypes.INT, description="页码"),
        ],
        responses=HazardLoopSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        qs = loop.filtered(request.user, request.query_params)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(HazardLoopSerializer(page, many=True).data)

    @extend_schema(
        operation_id="hazards_register",
        summary="登记隐患（可用 source_ledger、source_record 关联发现它的检查记录）",
        request=OpenApiTypes.OBJECT,
        responses={201: HazardLoopSerializer},
    )
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
            if not str(pk).isdigit():
                return Response({"source_record": ["检查记录编号应为正整数"]}, status=400)
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
        return Response(HazardLoopSerializer(hazard).data, status=status.HTTP_201_CREATED)


class HazardStepAPI(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="hazards_step",
        summary="隐患处理一步：notice 下达整改通知、rectify 整改、verify 验收销号",
        request=OpenApiTypes.OBJECT,
        responses=HazardLoopSerializer,
    )
    def post(self, request: Request, pk: int, step: str) -> Response:
        hazard = loop.get_for_step(request.user, pk)
        form = loop.apply_step(
            hazard,
            step,
            _form_data(request.data),
            request.FILES,
            user=request.user,
            if_match=request.headers.get("If-Match", ""),
        )
        if form.conflict is not None:
            return Response({"detail": versions.api_message(form.conflict)}, status=412)
        if form.refused:
            return Response({"detail": form.refused}, status=403)
        if form.errors:
            return Response(loop.errors_of(form), status=400)
        return Response(
            HazardLoopSerializer(form.instance).data,
            headers={"ETag": versions.etag(form.instance)},
        )
