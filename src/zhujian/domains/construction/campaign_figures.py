"""Figures of special campaigns: a tagged campaign's measure, aggregated as declared.

``campaign_figure(id, label, tag, code)`` declares one for a template written in code; the
figure family ``campaign.<报告标记>.<指标代码>`` makes the same figure on demand, so staff
can write ``{{ campaign.汛期安全.巡查次数 }}`` in a report template for a campaign that
exists only as records.

Which campaign: among the campaigns carrying the tag whose dates overlap the period and
declaring the measure, the one that started last. Which logs: its logs of the measure,
inside the period and the campaign's dates, within the report's unit (and the viewer's
scope). A stock (峰值, 最新值) also counts the value each unit last logged before the
period: the teams formed on the campaign's first day still stand in the following quarter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Min, Q, Sum

from zhujian.core.tags import tagged
from zhujian.domains.construction.models import (
    Aggregation,
    Campaign,
    CampaignLog,
    CampaignMeasure,
)
from zhujian.figures.catalog import Computed, EvalContext, Figure
from zhujian.figures.periods import Period


def _overlapping(tag: str, period: Period, prefix: str = "") -> Q:
    """Campaigns tagged ``tag`` whose dates overlap ``period`` (``prefix``: a relation)."""
    return Q(**{f"{prefix}pk__in": Campaign.objects.filter(tagged(Campaign, tag)).values("pk")}) & (
        Q(**{f"{prefix}started_on__lte": period.end})
        & (Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": period.start}))
    )


def campaign_for(tag: str, period: Period) -> Campaign | None:
    """The campaign tagged ``tag`` that the period speaks of (see the module docstring)."""
    return Campaign.objects.filter(_overlapping(tag, period)).order_by("-started_on", "-pk").first()


def measure_for(tag: str, code: str, period: Period) -> CampaignMeasure | None:
    """Measure ``code`` of that campaign, with the campaign, in one query."""
    return (
        CampaignMeasure.objects.filter(_overlapping(tag, period, "campaign__"))
        .select_related("campaign")
        .order_by("-campaign__started_on", "-campaign__pk")
        .filter(code=code)
        .first()
    )


def _window(campaign: Campaign, period: Period) -> tuple[dt.date, dt.date]:
    start = max(period.start, campaign.started_on)
    end = min(period.end, campaign.ended_on or period.end)
    return start, end


def measure_value(ctx: EvalContext, tag: str, code: str) -> Decimal | None:
    """The value of measure ``code`` of the campaign tagged ``tag`` for the context's period
    and unit; None when there is no such campaign or measure, or no log."""
    measure = measure_for(tag, code, ctx.period)
    if measure is None:
        return None
    campaign = measure.campaign
    start, end = _window(campaign, ctx.period)
    logs = ctx.base(CampaignLog).filter(measure=measure, logged_on__lte=end)
    how = measure.aggregation
    value: Any
    if how in (Aggregation.MAX, Aggregation.LATEST):
        per_unit = _per_unit(logs, how, start)
        value = sum(per_unit, Decimal(0)) if per_unit else None
    else:
        logs = logs.filter(logged_on__gte=start)
        row = logs.aggregate(total=Sum("value"), low=Min("value"), n=Count("pk"))
        if not row["n"]:
            return None
        days = (end - start).days + 1
        value = {
            Aggregation.SUM: row["total"],
            Aggregation.MIN: row["low"],
            Aggregation.PER_DAY: Decimal(row["total"]) / days,
            Aggregation.PER_WEEK: Decimal(row["total"]) * 7 / days,
        }[how]
    if value is None:
        return None
    step = Decimal(1).scaleb(-measure.decimals)
    return Decimal(value).quantize(step, rounding=ROUND_HALF_UP)


def _per_unit(logs: Any, how: str, start: dt.date) -> list[Decimal]:
    """Each reporting unit's stock in the window from ``start``: its last value (``latest``),
    or its peak (``max``) counting the value it held when the window opened."""
    values: dict[int, list[Decimal]] = {}
    for unit_id, day, value in logs.order_by("logged_on", "pk").values_list(
        "org_unit", "logged_on", "value"
    ):
        held = values.setdefault(unit_id, [])
        if day < start:
            held[:] = [value]  # carried into the window
        else:
            held.append(value)
    if how == Aggregation.LATEST:
        return [held[-1] for held in values.values()]
    return [max(held) for held in values.values()]


def _logs_of(tag: str, code: str) -> Callable[[Period], Q]:
    """The logs a campaign figure is drawn from (its drill-down list)."""

    def where(period: Period) -> Q:
        campaigns = Campaign.objects.filter(tagged(Campaign, tag)).values("pk")
        return Q(
            campaign__in=campaigns,
            measure__code=code,
            logged_on__gte=period.start,
            logged_on__lte=period.end,
        )

    return where


def campaign_figure(
    id: str, label: str, tag: str, code: str, unit: str = "", **kw: Any
) -> Computed:
    """A figure: measure ``code`` of the campaign tagged ``tag``."""
    kw.setdefault("line", "construction")
    return Computed(
        id=id,
        label=label,
        unit=unit,
        fn=lambda ctx: measure_value(ctx, tag, code),
        records_model=CampaignLog,
        records_where=_logs_of(tag, code),
        **kw,
    )


def resolve(figure_id: str, rest: str) -> Figure | None:
    """The ``campaign.<tag>.<code>`` family (``rest`` = ``<tag>.<code>``)."""
    tag, _, code = rest.rpartition(".")
    if not tag or not code:
        return None
    return campaign_figure(figure_id, f"专项行动“{tag}”指标 {code}", tag, code)
