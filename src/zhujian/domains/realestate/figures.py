"""（七）房地产 figures: presale and sales by period with year-on-year, over the data
months and over a promotion's days.

Sales are 网签 contracts of 商品房 (not parking spaces or storage rooms) signed in the
period and not cancelled by its end. Two windows the seed speaks of:

- the **data months** (“2022年1-5月份”): a half-year report is written before the
  half-year's data are complete, so the sentence covers the months from the first to the
  last month with records in the period, and compares with the same months a year
  earlier. ``realestate.data_from``/``data_to`` are those months; the ``ytd_*`` figures
  are the plain figures evaluated over them (a date-range period), and their year-on-year
  is the plain ``yoy`` over that range.
- the **event days** (“2022年*月*日至*日”): the dates of the promotion carrying the report
  tag “房展会” (``TAG_EXPO``) that starts in the period; the ``event_*`` figures are
  the plain figures over that date range. Staff move the tag to name another event.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Max, Min, Q, QuerySet

from zhujian.core.tags import tagged
from zhujian.domains.realestate.models import (
    FILING_DEADLINES,
    NOT_HOUSING,
    EscrowDeposit,
    EscrowRelease,
    PresalePermit,
    SalesContract,
    SalesEvent,
    sold_by,
)
from zhujian.figures import catalog, headlines
from zhujian.figures.catalog import Computed, EvalContext, count, register, total, yoy
from zhujian.figures.periods import Period

# The report's “*月*日至*日” window is the promotion carrying this report tag (报告标记).
TAG_EXPO = "房展会"


def sold(period: Period) -> Q:
    """商品房 sold in the period: signed in it (the date filter) and not cancelled by its end."""
    return sold_by(period.end) & ~Q(use__in=NOT_HOUSING)


register(
    total(
        "realestate.presale_area",
        "商品房预售许可面积",
        PresalePermit,
        "total_area",
        date="issued_on",
        unit="平方米",
        decimals=2,
    ),
    yoy("realestate.presale_area_yoy", "预售许可面积同比", "realestate.presale_area"),
    count("realestate.permits", "核发预售许可证", PresalePermit, date="issued_on", unit="个"),
    count(
        "realestate.permits_late",
        "超过法定时限核发的预售许可",
        PresalePermit,
        date="issued_on",
        where=Q(decided_late=True),
        unit="个",
    ),
    count(
        "realestate.units_sold",
        "商品房销售套数",
        SalesContract,
        date="signed_on",
        where=sold,
        unit="套",
    ),
    yoy("realestate.units_sold_yoy", "商品房销售套数同比", "realestate.units_sold"),
    total(
        "realestate.sales_area",
        "商品房销售面积",
        SalesContract,
        "area",
        date="signed_on",
        where=sold,
        unit="平方米",
        decimals=2,
    ),
    yoy("realestate.sales_area_yoy", "商品房销售面积同比", "realestate.sales_area"),
    total(
        "realestate.sales_amount",
        "商品房销售金额",
        SalesContract,
        "price",
        date="signed_on",
        where=sold,
        unit="元",
        decimals=2,
    ),
    yoy("realestate.sales_amount_yoy", "商品房销售金额同比", "realestate.sales_amount"),
    count(
        "realestate.residential_units_sold",
        "住宅销售套数",
        SalesContract,
        date="signed_on",
        where=lambda p: sold(p) & Q(use="residential"),
        unit="套",
    ),
    count(
        "realestate.contracts_cancelled",
        "期内注销的网签合同",
        SalesContract,
        date="cancelled_on",
        unit="份",
    ),
    count(
        "realestate.contracts_filed_late",
        "期内逾期备案的合同（网签后超过30日）",
        SalesContract,
        date="filed_on",
        where=Q(filed_late=True),
        unit="份",
    ),
    count(
        "realestate.contracts_unfiled_overdue",
        "逾期未备案的网签合同（期末）",
        SalesContract,
        mode="all",
        where=lambda p: FILING_DEADLINES.overdue_q(p.end),
        unit="份",
    ),
    total(
        "realestate.escrow_deposited",
        "预售监管资金入账",
        EscrowDeposit,
        "amount",
        date="deposited_on",
        unit="元",
        decimals=2,
    ),
    total(
        "realestate.escrow_released",
        "预售监管资金拨付",
        EscrowRelease,
        "amount",
        date="released_on",
        unit="元",
        decimals=2,
    ),
)


# --- the data months ---------------------------------------------------------------------


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def data_window(ctx: EvalContext) -> Period | None:
    """From the first day of the first month to the last day of the last month with
    contracts or permits in the period (None: no records)."""
    inside = {"start": ctx.period.start, "end": ctx.period.end}
    spans = [
        ctx.base(SalesContract)
        .filter(signed_on__gte=inside["start"], signed_on__lte=inside["end"])
        .aggregate(first=Min("signed_on"), last=Max("signed_on")),
        ctx.base(PresalePermit)
        .filter(issued_on__gte=inside["start"], issued_on__lte=inside["end"])
        .aggregate(first=Min("issued_on"), last=Max("issued_on")),
    ]
    firsts = [s["first"] for s in spans if s["first"]]
    lasts = [s["last"] for s in spans if s["last"]]
    if not firsts:
        return None
    start, end = min(firsts).replace(day=1), min(_month_end(max(lasts)), ctx.period.end)
    return Period.parse(f"{max(start, ctx.period.start).isoformat()}..{end.isoformat()}")


def event_window(ctx: EvalContext) -> Period | None:
    """The days of the promotion tagged “房展会” that starts in the period (the latest)."""
    event = (
        ctx.base(SalesEvent)
        .filter(tagged(SalesEvent, TAG_EXPO))
        .filter(starts_on__gte=ctx.period.start, starts_on__lte=ctx.period.end)
        .order_by("-starts_on", "-pk")
        .first()
    )
    if event is None:
        return None
    return Period.parse(f"{event.starts_on.isoformat()}..{event.ends_on.isoformat()}")


Window = Callable[[EvalContext], Period | None]
# The figures each window evaluates (filled by :func:`over`), so that one evaluation per
# window and report serves all of them.
_WINDOW_FIGURES: dict[Window, list[str]] = {}


def _once(ctx: EvalContext, key: Any, fn: Callable[[], Any]) -> Any:
    """``fn()`` once per evaluation: ``catalog.evaluate`` passes one context to every
    computed figure of a period, so the window and its values are found once."""
    memo = ctx.__dict__.setdefault("_realestate_memo", {})
    if key not in memo:
        memo[key] = fn()
    return memo[key]


def _window(ctx: EvalContext, window: Window) -> Period | None:
    return _once(ctx, window, lambda: window(ctx))


def _window_values(ctx: EvalContext, window: Window) -> dict[str, Any]:
    def evaluate() -> dict[str, Any]:
        period = _window(ctx, window)
        if period is None:
            return {}
        found = catalog.evaluate(_WINDOW_FIGURES[window], period, ctx.unit, ctx.user)
        return {fid: found[fid].value for fid in _WINDOW_FIGURES[window]}

    return _once(ctx, ("values", window), evaluate)


def over(fid: str, label: str, base: str, window: Window, **kw: Any) -> Computed:
    """``base`` evaluated over the window instead of the period; its drill-down lists the
    records of ``base`` (or of the figure ``base`` compares) in the window."""
    target = base
    while not isinstance(catalog.get(target), catalog.Aggregate):
        target = catalog.get(target).inputs()[0][0]  # a yoy's current-period input

    figures = _WINDOW_FIGURES.setdefault(window, [])
    if base not in figures:
        figures.append(base)

    def value(ctx: EvalContext) -> Any:
        return _window_values(ctx, window).get(base)

    def records(ctx: EvalContext) -> QuerySet:
        period = window(ctx)
        fig = catalog.get(target)
        if period is None:
            return fig.model._default_manager.none()
        found = catalog.records(target, period, ctx.unit, ctx.user)
        return found if found is not None else fig.model._default_manager.none()

    fig = catalog.get(base)
    return Computed(
        id=fid,
        label=label,
        fn=value,
        records_model=catalog.get(target).model,
        records_fn=records,
        unit=kw.pop("unit", fig.unit),
        decimals=kw.pop("decimals", fig.decimals),
        **kw,
    )


def _bound(which: str, window: Window, label: str, fid: str) -> Computed:
    """The first or last day of a window; its drill-down lists the sales in the window."""

    def value(ctx: EvalContext) -> dt.date | None:
        period = _window(ctx, window)
        return None if period is None else getattr(period, which)

    sales = over(f"{fid}__sales", label, "realestate.units_sold", window)
    return Computed(
        id=fid, label=label, fn=value, records_model=SalesContract, records_fn=sales.records_fn
    )


register(
    _bound("start", data_window, "数据起始月份", "realestate.data_from"),
    _bound("end", data_window, "数据截止月份", "realestate.data_to"),
    over(
        "realestate.ytd_presale_area",
        "数据月份内预售许可面积",
        "realestate.presale_area",
        data_window,
    ),
    over(
        "realestate.ytd_presale_area_yoy",
        "数据月份内预售许可面积同比",
        "realestate.presale_area_yoy",
        data_window,
    ),
    over(
        "realestate.ytd_sales_area",
        "数据月份内商品房销售面积",
        "realestate.sales_area",
        data_window,
    ),
    over(
        "realestate.ytd_sales_area_yoy",
        "数据月份内商品房销售面积同比",
        "realestate.sales_area_yoy",
        data_window,
    ),
    over(
        "realestate.ytd_sales_amount",
        "数据月份内商品房销售金额",
        "realestate.sales_amount",
        data_window,
    ),
    over(
        "realestate.ytd_sales_amount_yoy",
        "数据月份内商品房销售金额同比",
        "realestate.sales_amount_yoy",
        data_window,
    ),
    _bound("start", event_window, "房展会开始日期", "realestate.event_start"),
    _bound("end", event_window, "房展会结束日期", "realestate.event_end"),
    over(
        "realestate.event_units", "房展会期间商品房销售套数", "realestate.units_sold", event_window
    ),
    over(
        "realestate.event_area", "房展会期间商品房销售面积", "realestate.sales_area", event_window
    ),
    over(
        "realestate.event_amount",
        "房展会期间商品房销售金额",
        "realestate.sales_amount",
        event_window,
    ),
)

headlines.register(
    "realestate",
    "realestate.units_sold",
    "realestate.sales_area",
    "realestate.sales_amount",
    "realestate.presale_area",
)
headlines.register("realestate", "realestate.units_sold", trend=True)
