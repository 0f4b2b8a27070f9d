"""The period and unit every figure page reads from its query string."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from zhujian.core import scope
from zhujian.core.models import OrgUnit
from zhujian.figures.periods import Period, PeriodError
from zhujian.web.errors import BadParameter


def period_and_unit(request: HttpRequest, default: str = "2022H1") -> tuple[Period, OrgUnit | None]:
    """The ``period`` and ``unit`` query parameters, the unit limited to the user's scope."""
    try:
        period = Period.parse(request.GET.get("period") or default)
    except PeriodError as exc:
        raise BadParameter(str(exc)) from None
    unit = None
    if code := request.GET.get("unit"):
        unit = scope.org_units_for(request.user).filter(code=code).first()
        if unit is None:
            raise Http404("没有这个单位，或不在您的管辖范围内")
    elif request.user.org_unit and request.user.role == "township":
        unit = request.user.org_unit
    return period, unit


def unit_choices(request: HttpRequest) -> list[OrgUnit]:
    qs = scope.org_units_for(request.user).filter(kind__in=["county", "town", "township", "street"])
    return list(qs.order_by("path"))
