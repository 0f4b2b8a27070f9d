"""The period and unit every figure page reads from its query string."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest

from zhujian.core import bounds, scope, units
from zhujian.core.models import OrgUnit
from zhujian.figures.periods import Period, PeriodError
from zhujian.web.errors import BadParameter


def period_and_unit(
    request: HttpRequest, default: str = "2022H1", lenient: bool = False
) -> tuple[Period, OrgUnit | None]:
    """The ``period`` and ``unit`` query parameters, the unit limited to the user's scope.

    A period people type (``2022年上半年``) is read as its code. One that is no period at
    all is a 400 for the JSON endpoints and downloads; a page (``lenient``) shows the
    default period instead, with a Chinese message saying why, so typing never ends on an
    error page."""
    try:
        period = Period.parse(request.GET.get("period") or default)
    except PeriodError as exc:
        if not lenient:
            raise BadParameter(str(exc)) from None
        period = Period.parse(default)
        messages.error(request, f"{exc}。已改为显示{period.label}。")
    unit = None
    if code := request.GET.get("unit", "").strip():
        if code.isdigit():
            unit = scope.org_units_for(request.user).filter(code=code[:12]).first()
        else:  # a typed 乡镇/村 name: the one unit of that name in the user's scope
            found = [u for u in units.resolve(request.user, code) if u.name == code.strip()]
            unit = found[0] if len(found) == 1 else None
        if unit is None:
            raise Http404("没有这个单位，或不在您的管辖范围内")
    elif request.user.org_unit and request.user.role == "township":
        unit = request.user.org_unit
    return period, unit


def unit_choices(request: HttpRequest) -> list[OrgUnit]:
    qs = scope.org_units_for(request.user).filter(kind__in=["county", "town", "township", "street"])
    return list(qs.order_by("path"))


def date_param(request: HttpRequest, name: str, default: dt.date) -> dt.date:
    """A ``YYYY-MM-DD`` query parameter inside the dates records may carry (1900–2100);
    anything else is a 400 with a Chinese message. (A page that adds days to a date of year
    9999 would otherwise fail with OverflowError.)"""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        return bounds.check_date(dt.date.fromisoformat(raw[:10]) if len(raw) == 10 else None)
    except (TypeError, ValueError) as exc:
        message = str(exc) if isinstance(exc, bounds.BoundsError) else "日期应为 YYYY-MM-DD"
        raise BadParameter(f"参数 {name}：{message}") from None


def id_param(request: HttpRequest, name: str) -> int | None:
    """A record id query parameter (None when absent); one that no table can hold — too
    long, not decimal digits, beyond 64 bits — is a 400, not an OverflowError."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if len(raw) > 19 or not raw.isascii() or not raw.isdigit() or int(raw) > 2**63 - 1:
        raise BadParameter(f"参数 {name} 应为记录编号（正整数）")
    return int(raw)
