"""The scan API for station terminals and handheld scanners (``/api/lpg/``).

``POST /api/lpg/scans/`` takes one scan or a batch; ``GET /api/lpg/device/`` tells a
device what it is bound to; ``GET /api/lpg/check/<code>/`` says whether the device's
station may fill a cylinder now. ``GET /api/lpg/cylinders/<code>/trace/`` is the trace for
signed-in staff (session or HTTP Basic), under their scope.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhujian.api.parsers import BoundedJSONParser
from zhujian.core import scope
from zhujian.domains.lpg import conf, ingest, rules, trace
from zhujian.domains.lpg.auth import DeviceRateThrottle, DeviceTokenAuthentication, IsDevice
from zhujian.domains.lpg.models import Cylinder, ScanDevice
from zhujian.domains.lpg.rules import ScanKind


class ScanIn(serializers.Serializer):
    id = serializers.CharField(max_length=64, help_text="设备生成的唯一流水号；重传时不变")
    kind = serializers.ChoiceField(choices=ScanKind.choices, help_text="扫码类别")
    code = serializers.CharField(max_length=20, help_text="钢瓶二维码上的编码")
    at = serializers.DateTimeField(help_text="扫码时间，ISO 8601，带时区（不带时按北京时间）")
    station = serializers.CharField(
        max_length=20, required=False, help_text="站点编号，可省略；只能是设备绑定的站点"
    )
    operator = serializers.CharField(max_length=50, required=False, help_text="充装工（充装必填）")
    weight_kg = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, help_text="充装重量，千克（充装必填）"
    )
    customer = serializers.CharField(
        max_length=20, required=False, help_text="用户编号（配送必填，回收选填）"
    )
    deliverer = serializers.CharField(
        max_length=50, required=False, help_text="配送人员（配送必填）"
    )
    note = serializers.CharField(max_length=200, required=False)


class BatchIn(serializers.Serializer):
    events = ScanIn(
        many=True, help_text="一批扫码记录，最多 ZHUJIAN_LPG_BATCH_MAX_EVENTS 条（默认500）"
    )


class OutcomeOut(serializers.Serializer):
    index = serializers.IntegerField(help_text="在本批中的位置（从0起）")
    id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(
        choices=[
            ("accepted", "通过并已记录"),
            ("refused", "拒绝（已记录拒绝原因）"),
            ("duplicate", "重复上传（此前已记录，不重复计数）"),
            ("error", "记录有误，未保存"),
        ]
    )
    event = serializers.IntegerField(required=False, help_text="服务器记录号")
    reason = serializers.ChoiceField(choices=rules.Reason.choices, required=False)
    message = serializers.CharField(required=False)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class BatchOut(serializers.Serializer):
    received = serializers.IntegerField()
    accepted = serializers.IntegerField()
    refused = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    errors = serializers.IntegerField()
    hazard = serializers.CharField(allow_null=True, help_text="本批触发登记的隐患编号")
    results = OutcomeOut(many=True)


class DetailOut(serializers.Serializer):
    detail = serializers.CharField()


BATCH_EXAMPLE = {
    "events": [
        {
            "id": "T1-20220601-000123",
            "kind": "fill",
            "code": "37139901000123",
            "at": "2022-06-01T07:31:05+08:00",
            "operator": "张伟",
            "weight_kg": "14.60",
        },
        {
            "id": "H1-20220601-000045",
            "kind": "deliver",
            "code": "37139901000123",
            "at": "2022-06-01T09:12:40+08:00",
            "customer": "YH000321",
            "deliverer": "李强",
        },
        {
            "id": "T1-20220601-000124",
            "kind": "fill",
            "code": "abc",
            "at": "2022-06-01T07:32:00+08:00",
        },
    ]
}
RESULT_EXAMPLE = {
    "received": 3,
    "accepted": 1,
    "refused": 1,
    "duplicates": 0,
    "errors": 1,
    "hazard": None,
    "results": [
        {"index": 0, "id": "T1-20220601-000123", "status": "accepted", "event": 90121},
        {
            "index": 1,
            "id": "H1-20220601-000045",
            "status": "refused",
            "event": 90122,
            "reason": "unregistered_user",
            "message": "用户 YH000321 未实名登记或已注销，不得配送",
        },
        {
            "index": 2,
            "id": "T1-20220601-000124",
            "status": "error",
            "message": "扫码记录有误，未保存",
            "errors": {
                "code": ["钢瓶编码格式不正确（应为8—20位大写字母或数字，与钢瓶二维码标签一致）"]
            },
        },
    ],
}


class DeviceView(APIView):
    authentication_classes = [DeviceTokenAuthentication]
    parser_classes = [BoundedJSONParser]
    permission_classes = [IsDevice]
    throttle_classes = [DeviceRateThrottle]


class ScanUploadView(DeviceView):
    @extend_schema(
        operation_id="lpg_scans_upload",
        summary="上传扫码记录（单条或成批）",
        description=(
            '站点终端和手持扫码枪上传扫码记录。可以一次上传一条（请求体为 `{"events": [一条]}` '
            "或一条记录本身），也可以离线积累后成批上传。每条记录带设备生成的流水号 `id`："
            "同一设备重传同一流水号不会重复记录，响应中标为 `duplicate`。每条记录单独判定："
            "格式错误的记录返回 `error` 及各字段原因，不影响同批其他记录；违反充装、配送规则的"
            "记录照样保存，结果为 `refused` 并给出原因。"
        ),
        request=BatchIn,
        responses={
            200: BatchOut,
            400: OpenApiResponse(DetailOut, description="请求体不是 JSON、没有记录或超过每批上限"),
            401: OpenApiResponse(DetailOut, description="缺少或无效的设备令牌"),
            429: OpenApiResponse(DetailOut, description="上传过于频繁"),
        },
        examples=[
            OpenApiExample("一批三条", value=BATCH_EXAMPLE, request_only=True),
            OpenApiExample("逐条结果", value=RESULT_EXAMPLE, response_only=True),
        ],
        tags=["瓶装液化气扫码"],
    )
    def post(self, request: Request) -> Response:
        try:
            data = request.data
        except ParseError as exc:  # says why: invalid, or nested too deep
            return Response({"detail": str(exc.detail)}, status=status.HTTP_400_BAD_REQUEST)
        payload = data.get("events") if isinstance(data, dict) and "events" in data else data
        if not isinstance(payload, list | dict):
            return Response(
                {"detail": '请求体应为 {"events": [...]} 或一条扫码记录'},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            result = ingest.ingest(request.auth, payload)
        except ingest.BatchError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(result.as_dict())


class DeviceInfoOut(serializers.Serializer):
    device = serializers.CharField()
    name = serializers.CharField()
    station = serializers.CharField()
    station_name = serializers.CharField()
    batch_max_events = serializers.IntegerField()
    server_time = serializers.DateTimeField()


class DeviceInfoView(DeviceView):
    @extend_schema(
        operation_id="lpg_device",
        summary="本设备信息（绑定站点、每批上限、服务器时间）",
        responses={200: DeviceInfoOut, 401: DetailOut},
        tags=["瓶装液化气扫码"],
    )
    def get(self, request: Request) -> Response:
        device: ScanDevice = request.auth
        return Response(
            {
                "device": device.code,
                "name": device.name,
                "station": device.station.code,
                "station_name": device.station.name,
                "batch_max_events": conf.batch_max_events(),
                "server_time": timezone.now(),
            }
        )


class CheckOut(serializers.Serializer):
    code = serializers.CharField()
    known = serializers.BooleanField()
    fill_allowed = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    message = serializers.CharField(allow_blank=True)
    status = serializers.CharField(allow_null=True)
    next_inspection_due = serializers.DateField(allow_null=True)
    scrap_due = serializers.DateField(allow_null=True)


class CheckView(DeviceView):
    @extend_schema(
        operation_id="lpg_check",
        summary="充装前查验：本站现在能否充装该钢瓶",
        description="只查询，不记录。正式充装仍须上传扫码记录。",
        responses={200: CheckOut, 401: DetailOut},
        tags=["瓶装液化气扫码"],
    )
    def get(self, request: Request, code: str) -> Response:
        device: ScanDevice = request.auth
        code = code.strip()[:20]
        cylinder = Cylinder.objects.filter(code=code).first()
        verdict = rules.check(
            ScanKind.FILL,
            code,
            timezone.localdate(),
            device.station.company_id,
            cylinder,
            licence_expires_on=device.station.licence_expires_on,
        )
        own = cylinder if cylinder and cylinder.company_id == device.station.company_id else None
        # Another company's cylinder: the verdict (do not fill) and nothing of its state — a
        # station's device reads its own company's cylinders only.
        return Response(
            {
                "code": code,
                "known": cylinder is not None,
                "fill_allowed": verdict.accepted,
                "reason": verdict.reason,
                "message": verdict.message,
                "status": own.get_status_display() if own else None,
                "next_inspection_due": own.next_inspection_due if own else None,
                "scrap_due": own.scrap_due if own else None,
            }
        )


class StepOut(serializers.Serializer):
    when = serializers.CharField()
    what = serializers.CharField()
    detail = serializers.CharField()
    place = serializers.CharField()
    refused = serializers.BooleanField()
    reason = serializers.CharField()


class TraceView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="lpg_cylinder_trace",
        summary="钢瓶全生命周期追溯（按时间先后）",
        responses={200: StepOut(many=True)},
        tags=["瓶装液化气扫码"],
    )
    def get(self, request: Request, code: str) -> Response:
        cylinder = get_object_or_404(
            scope.restrict(Cylinder.objects.select_related("company"), request.user), code=code
        )
        return Response(
            [
                {
                    "when": s.when,
                    "what": s.what,
                    "detail": s.detail,
                    "place": s.place,
                    "refused": s.refused,
                    "reason": s.reason,
                }
                for s in trace.cylinder_trace(cylinder, request.user)
            ]
        )
