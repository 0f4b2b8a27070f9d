"""Data requests in the 待办 workbench (through its item providers), and the "approved
data only" filter of figure evaluation."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.urls import reverse

from zhujian.core.models import TOWNSHIP_KINDS, Role, User
from zhujian.core.registry import registry
from zhujian.figures import catalog
from zhujian.figures.periods import Period
from zhujian.requests import service
from zhujian.requests.models import Assignment, DataRequest
from zhujian.web import workbench


def _item(a: Assignment, today: dt.date, action: str, dated: bool = True) -> workbench.Item:
    due = a.request.deadline if dated else None
    return workbench.Item(
        obj=a,
        ledger=None,
        workflow=None,
        step_label=service.status_label(a),
        next_action=action,
        due=due,
        days_left=(due - today).days if due else None,
        url=reverse("requests:assignment", args=[a.pk]),
        township=a.unit if a.unit.kind in TOWNSHIP_KINDS else None,
        line="general",
        tag="报送任务",
    )


@workbench.item_provider
def request_items(user: User, today: dt.date) -> list[workbench.Item]:
    """A unit's submissions still to make (or returned to it), and the submissions
    awaiting this user's level of approval."""
    if not user.is_authenticated or not user.is_active:
        return []
    items = []
    if user.org_unit_id is not None:
        own = Assignment.objects.filter(
            unit__path__startswith=user.org_unit.path,
            status__in=[Assignment.Status.DRAFT, Assignment.Status.RETURNED],
        ).select_related("request", "unit")
        if user.role == Role.TOWNSHIP or user.role == Role.DEPARTMENT:
            for a in own:
                if a.status == Assignment.Status.RETURNED:
                    action = f"已退回：{a.return_reason}；请修改后重新报送"
                else:
                    action = "核对预填的数据，更正或补充后报送"
                items.append(_item(a, today, action))
    if user.role in (Role.DEPARTMENT, Role.LEADER):
        waiting = Assignment.objects.filter(status=Assignment.Status.SUBMITTED).select_related(
            "request", "unit"
        )
        for a in waiting:
            level = service.pending_level(a)
            if level is not None and service.LEVELS[level].allows(user, a.request):
                items.append(_item(a, today, f"审核（{service.LEVELS[level].label}）", dated=False))
    return items


# --- "approved data only" ----------------------------------------------------------------


def approval_condition(model: type[models.Model], period: Period) -> Q | None:
    """Records of ``model`` that count as approved data for ``period``: a ledger asked
    for by a records request with approval levels is under approval for that request's
    period; there only the units whose submission is fully approved (and not lapsed)
    count. Outside such periods, and for other ledgers, every record counts (None)."""
    ledger = registry.find(model)
    if ledger is None or not ledger.date_field:
        return None
    date = ledger.date_field
    requests = [
        r
        for r in DataRequest.objects.filter(kind=DataRequest.Kind.RECORDS)
        if r.levels and ledger.name in r.ledgers
    ]
    covering = []
    for r in requests:
        p = Period.parse(r.period_code)
        if p.start <= period.end and period.start <= p.end:
            covering.append((r, p))
    if not covering:
        return None
    cover = Q()
    approved = Q(pk__in=[])
    for r, p in covering:
        within = Q(**{f"{date}__gte": p.start, f"{date}__lte": p.end})
        cover |= within
        subs = list(r.assignments.select_related("request", "unit"))
        service.lapse_all(subs)
        for a in subs:
            if service.fully_approved(a):
                approved |= within & Q(org_unit__path__startswith=a.unit.path)
    return approved | ~cover | Q(**{f"{date}__isnull": True})


catalog.approval_filter = approval_condition
