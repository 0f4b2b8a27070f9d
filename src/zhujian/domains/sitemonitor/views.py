"""Site monitoring pages: the county's sites by state, one site's live and historical
charts with its alarms, and the chart data. Every site is reached through
:func:`status.sites_for` (the scope gate); a site outside the user's scope is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from zhujian.core import scope
from zhujian.core.registry import registry
from zhujian.domains.construction.models import ConstructionProject, SiteDevice
from zhujian.domains.construction.models.smartsite import FACTORS
from zhujian.domains.sitemonitor import conf, status
from zhujian.domains.sitemonitor.models import FACTOR_COLUMNS, Alarm, AlarmKind, DataKind, Reading

# Chart ranges: key → (label, data kind, span).
RANGES: dict[str, tuple[str, str, dt.timedelta]] = {
    "live": ("最近6小时（实时数据）", DataKind.REALTIME, dt.timedelta(hours=6)),
    "1d": ("最近24小时（小时数据）", DataKind.HOURLY, dt.timedelta(days=1)),
    "7d": ("最近7天（小时数据）", DataKind.HOURLY, dt.timedelta(days=7)),
    "30d": ("最近30天（小时数据）", DataKind.HOURLY, dt.timedelta(days=30)),
}
CHART_FACTORS = ("a34004", "a34002", "a34001", "LA")
MAX_POINTS = 2000


def _check_line(user: Any) -> None:
    if not scope.can_ledger(user, "view", registry.for_model(ConstructionProject)):
        raise PermissionDenied("您没有建筑业监管条线的查看权限")


def _site(user: Any, pk: int) -> ConstructionProject:
    _check_line(user)
    site = status.sites_for(user).filter(pk=pk).select_related("org_unit").first()
    if site is None or not SiteDevice.objects.filter(project=site).exclude(mn="").exists():
        raise Http404("没有这个监测工地，或不在您的管辖范围内")
    return site


@login_required
def site_list(request: HttpRequest) -> HttpResponse:
    """``/sitemonitor/?state=normal|over|offline&township=<id>``."""
    _check_line(request.user)
    state = request.GET.get("state", "")
    if state and state not in status.STATES:
        raise Http404("未知的状态")
    unit = None
    township = request.GET.get("township", "")
    if township:
        if not township.isdigit() or len(township) > 12:
            raise Http404("乡镇参数应为数字")
        unit = scope.org_units_for(request.user).filter(pk=int(township)).first()
        if unit is None:
            raise Http404("没有这个乡镇，或不在您的管辖范围内")
    states = status.site_states(status.sites_for(request.user, unit))
    rows = status.as_rows(states)
    if state:
        rows = [r for r in rows if r["state"] == state]
    return render(
        request,
        "sitemonitor/sites.html",
        {
            "rows": rows,
            "state_options": [
                (key, label, status.counts(states)[key]) for key, label in status.STATES.items()
            ],
            "state": state,
            "township": unit,
            "townships": scope.org_units_for(request.user).townships().order_by("sort", "path"),
            "offline_minutes": conf.offline_minutes(),
        },
    )


@login_required
def site_page(request: HttpRequest, pk: int) -> HttpResponse:
    site = _site(request.user, pk)
    states = status.site_states(status.sites_for(request.user).filter(pk=site.pk))
    alarms = (
        Alarm.objects.filter(project=site)
        .select_related("device", "hazard")
        .order_by("-started_at", "-pk")
    )
    page = Paginator(alarms, 30).get_page(request.GET.get("page"))
    latest = (
        Reading.objects.filter(project=site, cn=DataKind.REALTIME).order_by("-data_time").first()
    )
    latest_values = []
    if latest is not None:
        for code, column in FACTOR_COLUMNS.items():
            value = getattr(latest, column)
            if value is not None:
                name, unit = FACTORS[code]
                latest_values.append((name, value, unit))
    return render(
        request,
        "sitemonitor/site.html",
        {
            "site": site,
            "state": states[0] if states else None,
            "alarms": page,
            "latest": latest,
            "latest_values": latest_values,
            "ranges": [(k, v[0]) for k, v in RANGES.items()],
            "limits": conf.limits(),
            "sources": conf.limit_sources(),
        },
    )


@login_required
def site_data(request: HttpRequest, pk: int) -> JsonResponse:
    """``…/data.json?range=live|1d|7d|30d``: time series for the charts."""
    site = _site(request.user, pk)
    key = request.GET.get("range", "live")
    if key not in RANGES:
        raise Http404("未知的时间范围")
    label, kind, span = RANGES[key]
    now = timezone.now()
    columns = [FACTOR_COLUMNS[c] for c in CHART_FACTORS]
    rows = list(
        Reading.objects.filter(project=site, cn=kind, data_time__gte=now - span)
        .order_by("-data_time")
        .values_list("data_time", *columns)[:MAX_POINTS]
    )
    rows.reverse()
    tz = timezone.get_current_timezone()
    series = []
    for i, code in enumerate(CHART_FACTORS, start=1):
        points = [[r[0].astimezone(tz).isoformat(), r[i]] for r in rows if r[i] is not None]
        if points:
            name, unit = FACTORS[code]
            series.append({"factor": code, "name": name, "unit": unit, "points": points})
    limits = conf.limits()
    return JsonResponse(
        {
            "range": key,
            "label": label,
            "series": series,
            "limits": {
                "a34004": limits.get("a34004"),
                "a34002": limits.get("a34002"),
                "a34001": limits.get("a34001"),
                "LA_day": limits.get("LA_day"),
                "LA_night": limits.get("LA_night"),
            },
            "alarms": Alarm.objects.filter(
                project=site, kind=AlarmKind.OVER_LIMIT, started_at__gte=now - span
            ).count(),
        }
    )
