"""Data request pages: list, issue, a request's submissions and rates, one submission
(answer, submit, withdraw; approve, return, unapprove), and the 报送率 drill-down."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zhujian.core import bounds, clock
from zhujian.core.models import User
from zhujian.requests import service
from zhujian.requests.forms import RequestForm
from zhujian.requests.models import Assignment, DataRequest
from zhujian.web.params import id_param, period_and_unit

OUTCOMES = {"ontime": "按时报送", "late": "逾期报送", "missing": "未报送"}

MAX_ID = 2**63 - 1


def _requests_for(user: User) -> Any:
    """Requests a user may see: bureau users all; a unit those addressed to it."""
    ids = service.visible_assignments(user).values("request_id")
    qs = DataRequest.objects.select_related("issuing_unit", "issuer")
    if user.is_admin or user.role in ("leader", "department"):
        return qs
    return qs.filter(Q(pk__in=ids))


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    service.ensure_recurrences()
    user = request.user
    rows = []
    for r in _requests_for(user).prefetch_related("assignments")[:200]:
        mine = list(r.assignments.all() & service.visible_assignments(user))
        rows.append({"request": r, "rates": service.rates(mine)})
    own = service.visible_assignments(user).filter(
        unit__path__startswith=user.org_unit.path if user.org_unit_id else "~"
    )
    return render(
        request,
        "requests/list.html",
        {
            "rows": rows,
            "own": [(a, service.status_label(a)) for a in own[:100]],
            "can_issue": service.can_issue(user),
        },
    )


@login_required
def request_create(request: HttpRequest) -> HttpResponse:
    if not service.can_issue(request.user):
        raise PermissionDenied("只有业务股室、办公室、局领导和系统管理员可以发起报送任务")
    form = RequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            created = service.issue(
                request.user,
                title=form.cleaned_data["title"],
                period=form.cleaned_data["period"],
                deadline=form.cleaned_data["deadline"],
                units=form.unit_list(),
                kind=form.cleaned_data["kind"],
                measures=form.measures(),
                ledgers=form.cleaned_data["ledgers"],
                levels=form.cleaned_data["levels"],
                recurrence=form.cleaned_data.get("recurrence") or "",
                note=form.cleaned_data["note"],
            )
        except (service.RequestRefused, bounds.BoundsError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"已向 {created.assignments.count()} 个单位发起“{created.title}”"
            )
            return redirect("requests:detail", pk=created.pk)
    return render(request, "requests/form.html", {"form": form})


def _visible_request(user: User, pk: int) -> DataRequest:
    if pk > MAX_ID:  # beyond any table's ids (and SQLite's integers)
        raise Http404("没有这条记录")
    found = _requests_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404("没有这个报送任务，或不在您的管辖范围内")
    return found


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _visible_request(request.user, pk)
    assignments = list(
        obj.assignments.select_related("unit", "request")
        & service.visible_assignments(request.user)
    )
    service.lapse_all(assignments)
    rows = [
        {
            "a": a,
            "status": service.status_label(a),
            "outcome": service.outcome(a),
            "late": service.is_late(a),
        }
        for a in assignments
    ]
    return render(
        request,
        "requests/detail.html",
        {
            "obj": obj,
            "rows": rows,
            "rates": service.rates(assignments),
            "levels": [service.LEVELS[c].label for c in obj.levels],
            "root": obj.series_root_id,
        },
    )


def _assignment(user: User, pk: int) -> Assignment:
    if pk > MAX_ID:  # beyond any table's ids (and SQLite's integers)
        raise Http404("没有这条记录")
    found = service.visible_assignments(user).filter(pk=pk).first()
    if found is None:
        raise Http404("没有这份报送，或不在您的管辖范围内")
    return found


@login_required
def assignment_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    a = _assignment(user, pk)
    service.lapse(a)
    if request.method == "POST":
        return _assignment_post(request, a)
    answers = service.prefill(a) if a.request.kind == DataRequest.Kind.FORM else []
    level = service.pending_level(a)
    editable = service.may_answer(user, a) and a.status != Assignment.Status.SUBMITTED
    context = {
        "a": a,
        "answers": answers,
        "status": service.status_label(a),
        "editable": editable,
        "can_submit": editable,
        "can_withdraw": service.may_answer(user, a)
        and a.status == Assignment.Status.SUBMITTED
        and not a.approved
        and clock.today() <= a.request.deadline,
        "review_level": service.LEVELS[level].label if level else "",
        "can_review": level is not None and service.level_allows(user, a.request, level),
        "can_unapprove": service.can_unapprove(user, a),
        "levels": [
            (service.LEVELS[c].label, i < a.approved) for i, c in enumerate(a.request.levels)
        ],
        "events": a.events.select_related("user"),
        "records": _record_counts(a) if a.request.kind == DataRequest.Kind.RECORDS else [],
        "late": service.is_late(a),
    }
    return render(request, "requests/assignment.html", context)


def _record_counts(a: Assignment) -> list[dict[str, Any]]:
    from urllib.parse import urlencode

    from zhujian.core.registry import registry
    from zhujian.figures.periods import Period

    period = Period.parse(a.request.period_code)
    out = []
    for name in a.request.ledgers:
        ledger = registry.get(name)
        count = ledger.model._default_manager.filter(
            org_unit__path__startswith=a.unit.path,
            **{
                f"{ledger.date_field}__gte": period.start,
                f"{ledger.date_field}__lte": period.end,
            },
        ).count()
        query = urlencode({"org_unit": a.unit.pk})
        out.append({"ledger": ledger, "count": count, "url": f"{ledger.url_list}?{query}"})
    return out


def _assignment_post(request: HttpRequest, a: Assignment) -> HttpResponse:
    user, action = request.user, request.POST.get("action", "")
    try:
        if action in ("save", "submit") and a.request.kind == DataRequest.Kind.FORM:
            values = {}
            for m in a.request.measures.all():
                key = f"measure_{m.pk}"
                if key in request.POST:
                    values[m.pk] = request.POST[key]
            if a.status != Assignment.Status.SUBMITTED:
                changed = service.save_answers(a, user, values)
                if changed:
                    messages.info(request, f"已更正：{'、'.join(changed)}")
        if action == "submit":
            a = service.submit(a, user)
            late = "（已过截止日期，记为逾期报送）" if service.is_late(a) else ""
            messages.success(request, f"已报送{late}")
        elif action == "save":
            messages.success(request, "已保存，尚未报送")
        elif action == "withdraw":
            service.withdraw(a, user)
            messages.success(request, "已撤回，可修改后重新报送")
        elif action == "approve":
            service.approve(a, user)
            messages.success(request, "已审核通过")
        elif action == "return":
            service.send_back(a, user, request.POST.get("reason", ""))
            messages.success(request, "已退回报送单位")
        elif action == "unapprove":
            service.unapprove(a, user, request.POST.get("reason", ""))
            messages.success(request, "已撤销审核")
        elif action not in ("save", "submit"):
            messages.error(request, "未知的操作")
    except service.RequestRefused as exc:
        messages.error(request, str(exc))
    return redirect("requests:assignment", pk=a.pk)


@login_required
def rates_page(request: HttpRequest) -> HttpResponse:
    """The 报送率 drill-down: each unit's outcome for the requests in a period."""
    from zhujian.figures.catalog import EvalContext
    from zhujian.requests.figures import assignments

    period, unit = period_and_unit(request)
    series = id_param(request, "request")
    outcome = request.GET.get("outcome", "")
    if outcome and outcome not in (*OUTCOMES, "approved"):
        outcome = ""
    rows = assignments(EvalContext(period, unit, request.user), series)
    service.lapse_all(rows)
    totals = service.rates(rows)
    if outcome == "approved":
        shown = [a for a in rows if service.fully_approved(a)]
    else:
        shown = [a for a in rows if not outcome or service.outcome(a) == outcome]
    order = {"missing": 0, "late": 1, "ontime": 2}
    shown.sort(key=lambda a: (order[service.outcome(a)], a.unit.path, a.request_id))
    title = DataRequest.objects.filter(pk=series).values_list("title", flat=True).first()
    return render(
        request,
        "requests/rates.html",
        {
            "period": period,
            "unit": unit,
            "series": series,
            "title": title,
            "outcome": outcome,
            "outcome_label": OUTCOMES.get(outcome, "审核通过" if outcome == "approved" else ""),
            "outcomes": OUTCOMES,
            "totals": totals,
            "rows": [(a, OUTCOMES[service.outcome(a)], service.status_label(a)) for a in shown],
        },
    )
