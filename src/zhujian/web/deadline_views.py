"""Overdue and due-soon lists for any ledger that declares deadlines (``Ledger(deadlines=…)``),
grouped by handling unit, and the dashboard panel that summarises them.

Petition cases and plan tasks use it; the records pass through ``scope.restrict`` as
everywhere, so a 乡镇 sees its own cases only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from zhujian.core import scope
from zhujian.core.deadlines import ClockState, Deadlines
from zhujian.core.models import OrgUnit, User
from zhujian.core.registry import Ledger, registry
from zhujian.figures.periods import Period
from zhujian.web import tables
from zhujian.web.params import date_param
from zhujian.web.units import township_names

STATES = {"overdue": "逾期", "soon": "临期"}
# Records a list sorts by urgency in Python (several clocks per record): beyond this, the
# page says how many more there are and the unit filter narrows them.
MAX_LISTED = 2000


def ledgers_with_deadlines() -> list[Ledger]:
    return [lg for lg in registry if lg.deadlines is not None]


def soon_days(deadlines: Deadlines) -> int:
    days = deadlines.soon_days
    return days() if callable(days) else days


def records(
    ledger: Ledger, state: str, as_of: dt.date, user: User, unit: OrgUnit | None = None
) -> models.QuerySet:
    """The ledger's records overdue (or due soon) on ``as_of``, within the user's scope."""
    deadlines = ledger.deadlines
    assert deadlines is not None
    condition = deadlines.overdue_q(as_of) if state == "overdue" else deadlines.due_soon_q(as_of)
    qs = scope.restrict(ledger.model._default_manager.filter(condition), user)
    if unit is not None:
        qs = qs.filter(org_unit__path__startswith=unit.path)
    return qs


@dataclass
class UnitCount:
    unit_id: int
    name: str
    overdue: int = 0
    soon: int = 0


@dataclass
class Item:
    object: models.Model
    state: ClockState | None
    url: str
    township: str = ""

    @property
    def days_overdue(self) -> int:
        return -self.state.days_left if self.state is not None and self.state.overdue else 0


@dataclass
class Summary:
    ledger: Ledger
    as_of: dt.date
    soon_days: int
    by_unit: list[UnitCount] = field(default_factory=list)
    overdue: list[Item] = field(default_factory=list)
    soon: list[Item] = field(default_factory=list)
    total_overdue: int = 0
    total_soon: int = 0
    url: str = ""


def _by_unit(qs: models.QuerySet) -> dict[int, tuple[str, int]]:
    rows = qs.order_by().values("org_unit", "org_unit__name").annotate(n=Count("pk"))
    return {r["org_unit"]: (r["org_unit__name"], r["n"]) for r in rows}


def _items(ledger: Ledger, qs: models.QuerySet, as_of: dt.date, limit: int) -> list[Item]:
    assert ledger.deadlines is not None
    objs = list(qs.select_related("org_unit").order_by("pk")[:MAX_LISTED])
    states = [(o, ledger.deadlines.most_urgent(o, as_of)) for o in objs]
    states.sort(key=lambda p: (p[1].days_left if p[1] else 0, p[0].pk))
    return [Item(o, s, ledger.url("detail", pk=o.pk)) for o, s in states[:limit]]


def summary(
    ledger: Ledger, as_of: dt.date, user: User, unit: OrgUnit | None = None, limit: int = 8
) -> Summary:
    """Counts per handling unit and the most urgent records of both lists."""
    assert ledger.deadlines is not None
    late = records(ledger, "overdue", as_of, user, unit)
    soon = records(ledger, "soon", as_of, user, unit)
    late_by, soon_by = _by_unit(late), _by_unit(soon)
    rows = []
    for unit_id in sorted(set(late_by) | set(soon_by)):
        name = (late_by.get(unit_id) or soon_by.get(unit_id))[0]  # type: ignore[index]
        rows.append(
            UnitCount(
                unit_id, name, late_by.get(unit_id, ("", 0))[1], soon_by.get(unit_id, ("", 0))[1]
            )
        )
    rows.sort(key=lambda r: (-r.overdue, -r.soon, r.name))
    query = {"as_of": as_of.isoformat(), **({"unit": unit.code} if unit else {})}
    return Summary(
        ledger=ledger,
        as_of=as_of,
        soon_days=soon_days(ledger.deadlines),
        by_unit=rows,
        overdue=_items(ledger, late, as_of, limit),
        soon=_items(ledger, soon, as_of, limit),
        total_overdue=sum(r.overdue for r in rows),
        total_soon=sum(r.soon for r in rows),
        url=f"{reverse('web:deadlines', args=[ledger.name])}?{urlencode(query)}",
    )


@registry.dashboard_panel
def deadline_panel(period: Period, unit: OrgUnit | None, user: User) -> dict[str, Any] | None:
    """On the dashboard: each deadline ledger that asks for it (``Deadlines.dashboard``)."""
    as_of = min(period.end, dt.date.today())
    summaries = [
        summary(lg, as_of, user, unit, limit=5)
        for lg in ledgers_with_deadlines()
        if lg.deadlines.dashboard and scope.can_ledger(user, "view", lg)  # type: ignore[union-attr]
    ]
    if not summaries:
        return None
    alerts = [
        {
            "label": f"{s.ledger.label}逾期",
            "count": s.total_overdue,
            "unit": "件",
            "url": f"{s.url}&state=overdue",
            "note": f"{s.soon_days}日内到期{s.total_soon}件",
        }
        for s in summaries
    ]
    return {"template": "web/_deadline_panel.html", "summaries": summaries, "alerts": alerts}


@login_required
def deadline_list(request: HttpRequest, ledger: str) -> HttpResponse:
    """``/deadlines/<ledger>/?state=overdue|soon&as_of=YYYY-MM-DD&unit=<code>``."""
    try:
        found = registry.get(ledger)
    except KeyError:
        raise Http404("没有这个台账") from None
    if found.deadlines is None:
        raise Http404("该台账没有办理期限")
    state = request.GET.get("state", "overdue")
    if state not in STATES:
        raise Http404("未知的列表")
    as_of = date_param(request, "as_of", dt.date.today())
    unit = None
    if code := request.GET.get("unit"):
        unit = scope.org_units_for(request.user).filter(code=code[:12]).first()
        if unit is None:
            raise Http404("没有这个单位，或不在您的管辖范围内")
    qs = records(found, state, as_of, request.user, unit)
    overview = summary(found, as_of, request.user, unit, limit=0)
    items = _items(found, qs, as_of, limit=MAX_LISTED)
    towns = township_names([i.object for i in items])
    for item in items:
        item.township = towns.get(item.object.pk, "")
    if request.GET.get("format") == "xlsx":
        name = f"{STATES[state]}{found.label}-截至{as_of:%Y%m%d}.xlsx"
        return tables.response(
            name,
            f"{STATES[state]}清单",
            ["事项", "乡镇（街道）", "承办单位", "期限", "到期日", "逾期天数"],
            (
                [
                    str(i.object),
                    i.township,
                    i.object.org_unit.name if i.object.org_unit_id else "",
                    i.state.clock.label if i.state else "",
                    i.state.due if i.state else None,
                    i.days_overdue,
                ]
                for i in items
            ),
        )
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/deadlines.html",
        {
            "ledger": found,
            "state": state,
            "state_label": STATES[state],
            "as_of": as_of,
            "unit": unit,
            "overview": overview,
            "page": page,
            "query": query.urlencode(),
            "total": len(items),
        },
    )
