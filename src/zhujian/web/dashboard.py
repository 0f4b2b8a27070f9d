"""The leaders' dashboard (驾驶舱): headline figures, comparisons, trends, overdue hazards.

Everything here is generic over :mod:`zhujian.figures.headlines` (each line's headline
and trend figures) and the figure catalog, so a domain that registers its headlines
shows up without touching this module. Every number links to its records through
``web:figure_records``, which applies the viewer's scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from zhujian.core import lines, scope
from zhujian.core.models import OrgUnit, User
from zhujian.core.registry import registry
from zhujian.figures import breakdown, catalog, headlines
from zhujian.figures.periods import Period
from zhujian.web import numbers
from zhujian.web.params import period_and_unit


def records_url(figure_id: str, period: Period, unit: OrgUnit | str | None = None) -> str:
    """The drill-down page of a figure for a period and unit."""
    code = unit.code if isinstance(unit, OrgUnit) else unit
    query = {"period": period.code}
    if code:
        query["unit"] = code
    return f"{reverse('web:figure_records', args=[figure_id])}?{urlencode(query)}"


def _number(value: Any) -> float | int | None:
    """A figure value as a JSON/chart number (None for dates, text and missing values)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, (Decimal, float)):
        return float(value)
    return None


def display(value: Any, figure: catalog.Figure) -> tuple[str, str]:
    """(text, unit) as a leader reads it: thousands grouped, 元 amounts over ten thousand
    in 万元, dates with their year, "—" for no value (and 0 for zero)."""
    number = _number(value)
    if number is not None and figure.unit == "元" and abs(number) >= 10000:
        return numbers.number(Decimal(str(number)) / 10000, 1), "万元"
    if value is None:
        return numbers.EMPTY, ""
    if isinstance(value, dt.date):
        return numbers.day(value), ""
    if number is None:
        return catalog.format_value(value, figure), ""
    return numbers.number(value, figure.decimals), figure.unit


@dataclass
class Change:
    """The change of a headline figure against the same period last year.

    ``direction`` is which way the number went (the arrow); ``tone`` is whether that is
    good or bad news by the figure's own declaration (:attr:`catalog.Figure.good`), and
    only the tone is coloured: a rising rectification rate and falling overdue hazards are
    both good."""

    text: str
    direction: str = "flat"  # up / down / flat / none
    figure: catalog.Figure | None = None

    @property
    def tone(self) -> str:
        """ "good", "bad" or "" (neutral, flat or no comparison)."""
        good = self.figure.good if self.figure is not None else ""
        if not good or self.direction not in ("up", "down"):
            return ""
        return "good" if self.direction == good else "bad"


def change(now: Any, before: Any, figure: catalog.Figure) -> Change:
    """The change of ``figure`` from ``before`` to ``now``, in words and with its tone."""
    found = _change(now, before, figure)
    found.figure = figure
    return found


def _change(now: Any, before: Any, figure: catalog.Figure) -> Change:
    a, b = _number(now), _number(before)
    if a is None or b is None:
        if before is None:
            return Change("上年同期无数据", "none")
        if b is None:  # a date or a name
            return Change(f"上年同期：{catalog.format_value(before, figure)}", "none")
        return Change("本期无数据", "none")
    if figure.unit == "%":
        diff = a - b
        if abs(diff) < 0.05:
            return Change("与上年同期持平")
        return Change(
            f"比上年同期{'提高' if diff > 0 else '降低'} {abs(diff):.1f} 个百分点",
            "up" if diff > 0 else "down",
        )
    if a == b:
        return Change("与上年同期持平")
    if b == 0:
        return Change(f"上年同期为 0，增加 {display(now, figure)[0]}", "up" if a > 0 else "down")
    pct = (a - b) * 100 / abs(b)
    return Change(
        f"同比{'增长' if pct > 0 else '下降'} {abs(pct):.1f}%", "up" if pct > 0 else "down"
    )


@dataclass
class Headline:
    figure: catalog.Figure
    value: Any
    before: Any
    text: str
    unit: str
    change: Change
    url: str
    before_url: str
    before_text: str


@dataclass
class LineCard:
    line: lines.BusinessLine
    items: list[Headline] = field(default_factory=list)
    mine: bool = False  # one of the viewer's own lines (a department's 负责业务条线)

    @property
    def bad(self) -> int:
        """How many of its figures moved the wrong way (shown on the folded card)."""
        return sum(1 for h in self.items if h.change.tone == "bad")


def headline_cards(period: Period, unit: OrgUnit | None, user: User) -> list[LineCard]:
    """Each line's headline figures now and in the same period last year; the viewer's own
    lines (:attr:`User.business_lines`) first, the others in the bureau's order."""
    entries = headlines.all_lines()
    ids = list(dict.fromkeys(fid for e in entries for fid in e.figures))
    previous = period.previous_year()
    values = breakdown.evaluate_grouped(ids, [period, previous], unit, user)
    mine = set(getattr(user, "business_lines", None) or [])
    cards = []
    for entry in entries:
        card = LineCard(lines.get_line(entry.line))
        for fid in entry.figures:
            fig = catalog.get(fid)
            now = values[fid][period.code].get(breakdown.ALL)
            before = values[fid][previous.code].get(breakdown.ALL)
            text, shown_unit = display(now, fig)
            before_text, before_unit = display(before, fig)
            card.items.append(
                Headline(
                    figure=fig,
                    value=now,
                    before=before,
                    text=text,
                    unit=shown_unit,
                    change=change(now, before, fig),
                    url=records_url(fid, period, unit),
                    before_url=records_url(fid, previous, unit),
                    before_text=f"{before_text}{before_unit}",
                )
            )
        if card.items:
            card.mine = entry.line in mine
            cards.append(card)
    return sorted(cards, key=lambda c: not c.mine)  # stable: business order within each


def _chart_figures() -> list[str]:
    """Figures offered in the comparison chart: those of lines townships report on first
    (their records lie in the townships), trend figures before headlines."""
    entries = headlines.all_lines()
    local = [e for e in entries if lines.get_line(e.line).township_reports]
    other = [e for e in entries if not lines.get_line(e.line).township_reports]
    ids = [fid for group in (local, other) for e in group for fid in (*e.trends, *e.figures)]
    return [fid for fid in dict.fromkeys(ids) if breakdown.splittable(fid)]


def _series_meta(fid: str) -> dict[str, Any]:
    fig = catalog.get(fid)
    return {
        "id": fid,
        "label": fig.label,
        "unit": fig.unit,
        "line": lines.get_line(fig.line).label,
    }


def unit_level(unit: OrgUnit | None) -> str:
    return "村（社区）" if unit is not None and unit.is_township else "乡镇（街道）"


def chart_choices() -> list[dict[str, Any]]:
    """The figures a viewer may pick for the comparison chart."""
    return [_series_meta(fid) for fid in _chart_figures()]


def unit_chart(
    period: Period, unit: OrgUnit | None, user: User, figure_ids: list[str] | None = None
) -> dict[str, Any]:
    """Figures per 乡镇 (per 村/社区 when a 乡镇 is chosen); all chart figures by default."""
    ids = _chart_figures() if figure_ids is None else figure_ids
    children, values = breakdown.by_unit(ids, period, unit, user)
    series = []
    for fid in ids:
        numbers = [_number(v) for v in values.get(fid, [])]
        if figure_ids is None and not any(numbers):  # nothing recorded below this unit
            continue
        series.append(
            {
                **_series_meta(fid),
                "values": numbers,
                "url": records_url(fid, period) + "&unit=",
            }
        )
    return {
        "level": unit_level(unit),
        "units": [{"name": c.name, "code": c.code} for c in children],
        "series": series,
        "period": period.label,
    }


def trend_chart(period: Period, unit: OrgUnit | None, user: User) -> dict[str, Any]:
    """The trend figures month by month this year to date, beside last year's months."""
    ids = [fid for fid in dict.fromkeys(headlines.trend_figures())]
    months, now, before = breakdown.by_month(ids, period, unit, user)
    unit_query = f"&{urlencode({'unit': unit.code})}" if unit else ""
    series = []
    for fid in ids:
        this_year = [_number(v) for v in now[fid]]
        last_year = [_number(v) for v in before[fid]]
        if not any(this_year) and not any(last_year):
            continue
        series.append(
            {
                **_series_meta(fid),
                "now": this_year,
                "before": last_year,
                "url": reverse("web:figure_records", args=[fid]) + "?period=",
                "unitQuery": unit_query,
                "link": records_url(fid, period, unit),
            }
        )
    year = months[-1].start.year if months else period.end.year
    return {
        "months": [m.code for m in months],
        "monthsBefore": [m.previous_year().code for m in months],
        "labels": [f"{m.start.month}月" for m in months],
        "thisYear": f"{year}年",
        "lastYear": f"{year - 1}年",
        "series": series,
    }


def _hazard_model() -> Any:
    """The hazard ledger model, if the hazards app provides one with an overdue queryset."""
    try:
        from zhujian.hazards.models import Hazard
    except ImportError:
        return None
    if registry.find(Hazard) is None or not hasattr(Hazard.objects, "overdue"):
        return None
    return Hazard


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def overdue_hazards(
    period: Period, unit: OrgUnit | None, user: User, limit: int = 10
) -> dict[str, Any] | None:
    """Hazards past their rectification deadline and not closed at the period's end."""
    model = _hazard_model()
    if model is None:
        return None
    as_of = min(period.end, dt.date.today())
    qs = scope.restrict(model.objects.overdue(as_of), user)
    if unit is not None:
        qs = qs.filter(org_unit__path__startswith=unit.path)
    ledger = registry.for_model(model)
    by_line = []
    for row in qs.order_by().values("line").annotate(n=Count("pk")).order_by("-n", "line"):
        fid = f"{row['line']}.hazards_overdue"
        try:
            catalog.get(fid)
            url = records_url(fid, period, unit) if as_of == period.end else ""
        except KeyError:
            url = ""
        line = lines.BY_CODE.get(row["line"])
        by_line.append({"label": line.label if line else row["line"], "n": row["n"]})
        by_line[-1]["url"] = url or f"{ledger.url_list}?line={row['line']}"
    items = []
    for hazard in qs.select_related("org_unit").order_by("notice_deadline", "pk")[:limit]:
        items.append(
            {
                "object": hazard,
                "url": _url("hazards:detail", hazard.pk) or ledger.url("detail", pk=hazard.pk),
                "line": lines.BY_CODE[hazard.line].label if hazard.line in lines.BY_CODE else "",
                "days": (as_of - hazard.notice_deadline).days if hazard.notice_deadline else None,
            }
        )
    more_url = _url("hazards:overdue") or ledger.url_list
    if more_url != ledger.url_list and unit is not None and unit.is_township:
        more_url += f"?{urlencode({'township': unit.pk})}"
    return {
        "as_of": as_of,
        "total": sum(r["n"] for r in by_line),
        "by_line": by_line,
        "items": items,
        "more_url": more_url,
    }


@dataclass
class Alert:
    """One number on the dashboard's first screen that asks for action."""

    label: str
    count: int
    unit: str
    url: str
    note: str = ""


def alerts(overdue: dict[str, Any] | None, panels: list[dict[str, Any]]) -> list[Alert]:
    """What needs action, before any figure: overdue hazards, then what each dashboard
    panel flags (a panel lists its own under ``"alerts"``: unpaid wages, petitions past
    their deadline, offline monitors). Built from what the page computes anyway, so the
    strip costs no query."""
    found = []
    if overdue is not None:
        found.append(
            Alert(
                "逾期未销号隐患",
                overdue["total"],
                "条",
                overdue["more_url"],
                f"截至{overdue['as_of'].year}年{overdue['as_of'].month}月{overdue['as_of'].day}日",
            )
        )
    for panel in panels:
        found.extend(Alert(**a) for a in panel.get("alerts", ()))
    return found


def trend_tables(trend: dict[str, Any]) -> list[dict[str, Any]]:
    """The trend chart's numbers as tables (for keyboards, screen readers and no-script)."""
    tables = []
    for s in trend["series"]:
        rows = []
        for i, label in enumerate(trend["labels"]):
            now_code, before_code = trend["months"][i], trend["monthsBefore"][i]
            rows.append(
                {
                    "label": label,
                    "now": s["now"][i],
                    "now_url": f"{s['url']}{now_code}{s['unitQuery']}",
                    "before": s["before"][i] if i < len(s["before"]) else None,
                    "before_url": f"{s['url']}{before_code}{s['unitQuery']}",
                }
            )
        tables.append({**s, "rows": rows})
    return tables


def context(request: HttpRequest, period: Period, unit: OrgUnit | None) -> dict[str, Any]:
    """Everything the dashboard page shows for ``period`` and ``unit``."""
    user = request.user
    trend = trend_chart(period, unit, user)
    overdue = overdue_hazards(period, unit, user)
    panels = [panel for fn in registry.dashboard_panels if (panel := fn(period, unit, user))]
    return {
        "period": period,
        "unit": unit,
        "alerts": alerts(overdue, panels),
        "cards": headline_cards(period, unit, user),
        "unit_level": unit_level(unit),
        "chart_choices": chart_choices(),
        "trend_chart": trend,
        "trend_tables": trend_tables(trend),
        "overdue": overdue,
        "panels": panels,
    }


@login_required
def data(request: HttpRequest) -> JsonResponse:
    """The dashboard's chart data as JSON (the page itself inlines the same data)."""
    period, unit = period_and_unit(request)
    payload = {
        "period": period.code,
        "unit": unit.code if unit else None,
        "headlines": [
            {
                "line": card.line.label,
                "figures": [
                    {
                        "id": h.figure.id,
                        "label": h.figure.label,
                        "value": _number(h.value) if _number(h.value) is not None else h.text,
                        "before": _number(h.before),
                        "unit": h.figure.unit,
                        "change": h.change.text,
                        "url": h.url,
                    }
                    for h in card.items
                ],
            }
            for card in headline_cards(period, unit, request.user)
        ],
        "units": unit_chart(period, unit, request.user),
        "trend": trend_chart(period, unit, request.user),
    }
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


@login_required
def unit_data(request: HttpRequest) -> JsonResponse:
    """One figure per 乡镇 (or 村/社区) as JSON, for the comparison chart."""
    period, unit = period_and_unit(request)
    fid = request.GET.get("figure", "")
    if fid not in _chart_figures():
        raise Http404("没有这个指标")
    return JsonResponse(
        unit_chart(period, unit, request.user, [fid]), json_dumps_params={"ensure_ascii": False}
    )


@login_required
def ledger_overview(request: HttpRequest) -> HttpResponse:
    """How many records each ledger holds in the viewer's scope (lazy part of the dashboard)."""
    groups = []
    for line, ledgers in registry.by_line():
        items = [
            (lg, scope.restrict(lg.model._default_manager.all(), request.user).count())
            for lg in ledgers
        ]
        groups.append({"line": line, "items": items})
    template = (
        "web/_ledger_overview.html" if request.headers.get("HX-Request") else "web/ledgers.html"
    )
    return render(request, template, {"groups": groups})
