"""报送率 (reporting rates) as figures of the catalog: on time, late, missing, total, the
rates, and the approved count —

- ``requests.all.<kind>``: every request whose period lies inside the figure's period;
- ``requests.<id>.<kind>``: one request and its recurring instances (the family resolves
  the id from the data, so a request issued today is a figure at once).

Evaluated for a unit, only that unit's submissions count; a township user sees their own.
Each drills down to the units, by outcome (the missing ones first).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from zhujian.core.models import OrgUnit
from zhujian.figures.catalog import Computed, EvalContext, Figure, register, register_family
from zhujian.figures.periods import Period
from zhujian.requests import service
from zhujian.requests.models import Assignment, DataRequest

UNITS = {"rate": "%", "timely": "%"}
DEFAULT_OUTCOME = {"ontime": "ontime", "late": "late", "missing": "missing", "approved": "approved"}


def requests_within(period: Period, series: int | None = None) -> list[int]:
    qs = DataRequest.objects.all()
    if series is not None:
        qs = qs.filter(pk=series) | DataRequest.objects.filter(series_id=series)
    out = []
    for pk, code in qs.values_list("pk", "period_code"):
        p = Period.parse(code)
        if period.start <= p.start and p.end <= period.end:
            out.append(pk)
    return out


def assignments(ctx: EvalContext, series: int | None) -> list[Assignment]:
    ids = requests_within(ctx.period, series)
    qs = Assignment.objects.filter(request_id__in=ids).select_related("request")
    if ctx.user is not None:
        qs = qs & service.visible_assignments(ctx.user)
    if ctx.unit is not None:
        qs = qs.filter(unit__path__startswith=ctx.unit.path)
    return list(qs)


def drill_url(series: int | None, kind: str) -> Any:
    def url(period: Period, unit: OrgUnit | None) -> str:
        query = {"period": period.code}
        if unit is not None:
            query["unit"] = unit.code
        if series is not None:
            query["request"] = str(series)
        if kind in DEFAULT_OUTCOME:
            query["outcome"] = DEFAULT_OUTCOME[kind]
        return reverse("requests:rates") + "?" + urlencode(query)

    return url


def rate_figure(figure_id: str, kind: str, series: int | None, title: str) -> Figure:
    def fn(ctx: EvalContext) -> Any:
        return service.rates(assignments(ctx, series))[kind]

    return Computed(
        id=figure_id,
        label=f"{title}{service.RATE_KINDS[kind]}",
        unit=UNITS.get(kind, "个"),
        line="general",
        decimals=1 if kind in UNITS else None,
        fn=fn,
        drill=drill_url(series, kind),
        help="报送任务的报送情况：按截止日期判断按时或逾期；退回后再报送仍按首次报送时间计",
    )


register(
    *(rate_figure(f"requests.all.{kind}", kind, None, "报送任务") for kind in service.RATE_KINDS)
)


def resolve(figure_id: str, rest: str) -> Figure | None:
    ref, _, kind = rest.partition(".")
    if kind not in service.RATE_KINDS or not ref.isdigit() or len(ref) > 12:
        return None
    root = DataRequest.objects.filter(pk=int(ref), series__isnull=True).first()
    if root is None:
        return None
    return rate_figure(figure_id, kind, root.pk, f"“{root.title}”")


register_family("requests", resolve)
