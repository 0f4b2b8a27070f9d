"""Figure values over the API: ``/api/figures/?ids=a,b&period=2022H1&unit=CODE``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhujian.core import scope
from zhujian.figures import catalog
from zhujian.figures.periods import Period, PeriodError


def _json(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return float(value)


class FigureValuesView(APIView):
    @extend_schema(
        summary="指标取值",
        parameters=[
            OpenApiParameter("ids", OpenApiTypes.STR, description="指标编号，逗号分隔；空则全部"),
            OpenApiParameter("period", OpenApiTypes.STR, description="期间，如 2022H1"),
            OpenApiParameter("unit", OpenApiTypes.STR, description="单位代码（含下级）"),
            OpenApiParameter(
                "approved", OpenApiTypes.STR, description="1：仅计已审核数据（默认全部记录）"
            ),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        try:
            period = Period.parse(request.query_params.get("period", "2022H1"))
        except PeriodError as exc:
            raise ValidationError({"period": str(exc)}) from None
        unit = None
        if code := request.query_params.get("unit"):
            unit = scope.org_units_for(request.user).filter(code=code).first()
            if unit is None:
                raise ValidationError({"unit": f"没有您可查看的单位 {code}"})
        wanted = [i for i in request.query_params.get("ids", "").split(",") if i]
        try:
            ids = wanted or [f.id for f in catalog.all_figures()]
            approved_only = request.query_params.get("approved") == "1"
            values = catalog.evaluate(ids, period, unit, request.user, approved_only=approved_only)
        except KeyError as exc:
            raise ValidationError({"ids": exc.args[0]}) from None
        return Response(
            {
                "period": period.code,
                "unit": unit.code if unit else None,
                "approved_only": approved_only,
                "figures": [
                    {
                        "id": fid,
                        "label": values[fid].figure.label,
                        "unit": values[fid].figure.unit,
                        "value": _json(values[fid].value),
                        "text": str(values[fid]),
                    }
                    for fid in ids
                ],
            }
        )
