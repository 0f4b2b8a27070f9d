"""The 待办 workbench: what each user must do, what is due or overdue, what they did and
what they started; the leaders' 督办 view; the step screen of any declared workflow.

Items come from the workflow registry (``core.workflows``) and from the deadline clocks
of ledgers (``Ledger.deadlines``), always through ``scope.restrict``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import connection, models, transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST

from zhujian.core import scope, versions, workflows
from zhujian.core.models import OrgUnit, Role, Transition, User
from zhujian.core.registry import Ledger, registry
from zhujian.core.workflows import Step, Workflow
from zhujian.web import deadline_views
from zhujian.web.forms import LedgerForm, _formfield

LISTED = 50  # items per section on the workbench; the rest behind "全部"


# --- items --------------------------------------------------------------------------------


@dataclass
class Item:
    """One record in a list of the workbench."""

    obj: models.Model
    ledger: Ledger | None  # None: an item of a provider (e.g. a data request to answer)
    workflow: Workflow | None
    step_label: str
    next_action: str
    due: dt.date | None
    days_left: int | None
    url: str
    township: OrgUnit | None
    line: str
    tag: str = ""  # what kind of item, when it is not a ledger's record

    @property
    def kind_label(self) -> str:
        return self.tag or (self.ledger.label if self.ledger else "")

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def overdue_days(self) -> int:
        return -(self.days_left or 0)

    @property
    def key(self) -> str:
        return f"{self.ledger.name if self.ledger else self.tag}:{self.obj.pk}"


# Items that are not ledger records under a workflow (a data request to answer or to
# review, an upload the platform refused) come from providers that other apps register:
# ``provider(user, today)`` returns the user's items; they join 待我处理, and the overdue
# ones 逾期. A provider that lists only its first items gives ``count(user)`` for the top
# bar (its items carry no deadline).
ItemProvider = Callable[[User, dt.date], list[Item]]
ItemCount = Callable[[User], int]
item_providers: list[tuple[ItemProvider, ItemCount | None]] = []


def item_provider(fn: ItemProvider, count: ItemCount | None = None) -> ItemProvider:
    """Register ``fn`` as a source of 待办 items (see :data:`item_providers`)."""
    if all(known is not fn for known, _count in item_providers):
        item_providers.append((fn, count))
    return fn


def provided(user: User, today: dt.date) -> list[Item]:
    return [item for fn, _count in item_providers for item in fn(user, today)]


def provided_counts(user: User, today: dt.date) -> tuple[int, int]:
    """How many provided items are the user's, and how many of them are overdue."""
    mine = late = 0
    for fn, count in item_providers:
        if count is not None:
            mine += count(user)
            continue
        items = fn(user, today)
        mine += len(items)
        late += sum(1 for item in items if item.overdue)
    return mine, late


def page_url(workflow: Workflow, obj: models.Model) -> str:
    """The page where ``obj``'s steps are taken (the hazard loop has its own)."""
    if workflow.page is not None:
        return workflow.page(obj)
    return reverse("web:work_step", args=[workflow.name, obj.pk])


def _item(workflow: Workflow, obj: models.Model, today: dt.date) -> Item:
    step = workflow.current(obj)
    due = step.due_on(obj) if step else None
    return Item(
        obj=obj,
        ledger=registry.for_model(type(obj)),
        workflow=workflow,
        step_label=step.label if step else "已办结",
        next_action=workflow.next_action(obj, today),
        due=due,
        days_left=(due - today).days if due else None,
        url=page_url(workflow, obj),
        township=obj.org_unit.township() if obj.org_unit_id else None,
        line=workflow.line_of(obj),
    )


def _scoped(workflow: Workflow, user: User, q: Q) -> models.QuerySet:
    qs = workflow.model._default_manager.filter(q).select_related("org_unit__parent")
    return scope.restrict(qs, user, "view")


def responsibility_q(workflow: Workflow, user: User) -> Q | None:
    """Records whose progress concerns ``user``: its township's, its lines' (department),
    all (leaders, administrators)."""
    if user.is_admin or user.role == Role.LEADER:
        return Q()
    found: Q | None = None
    for s in workflow.steps:
        mine = s.actor.q_for(user, workflow)
        if mine is not None:
            found = mine if found is None else found | mine
    return found


def all_workflows() -> list[Workflow]:
    """The declared workflows, and the deadline clocks no step covers (a plan task's,
    a contract's filing, a machine's safety assessment) as one-step workflows: every
    item with a deadline has an owner, and the lists below treat both alike."""
    out = list(workflows.registry)
    for ledger in deadline_views.ledgers_with_deadlines():
        out += workflows.clock_workflows(ledger)
    return out


def registry_workflow(ledger: Ledger) -> Workflow | None:
    return workflows.registry.for_model(ledger.model)


def _suspects(wf: Workflow, user: User) -> dict[str, set[int]]:
    """Separation of duties, in one query per pair: the records whose first step (or
    registration) this account did, by the step it then may not take. Few: checked one
    by one; the rest of the user's records are theirs."""
    suspect: dict[str, set[int]] = {}
    for x, y in wf.separate:
        suspect.setdefault(y, set()).update(workflows.taken_by(wf, user, x))
    return suspect


def _kept_from(wf: Workflow, user: User, obj: models.Model, suspect: dict[str, set[int]]) -> bool:
    """Whether separation of duties keeps ``obj``'s current step from ``user``."""
    step = wf.current(obj)
    return (
        step is not None
        and obj.pk in suspect.get(step.code, ())
        and wf.can(user, obj, step) is not None
    )


def pending(user: User, today: dt.date | None = None) -> list[Item]:
    """待我处理: records whose current step the user's unit or the user must do."""
    today = today or dt.date.today()
    items = []
    for wf in all_workflows():
        q = wf.pending_q(user)
        if q is None:
            continue
        suspect = _suspects(wf, user)
        for obj in _scoped(wf, user, q):
            if wf.current(obj) is None or _kept_from(wf, user, obj, suspect):
                continue
            items.append(_item(wf, obj, today))
    items += provided(user, today)
    return _sorted(items)


def _sorted(items: list[Item]) -> list[Item]:
    return sorted(
        items,
        key=lambda i: (i.days_left is None, i.days_left if i.days_left is not None else 0, i.key),
    )


def dated(user: User, state: str, today: dt.date | None = None) -> list[Item]:
    """逾期 (``state="overdue"``) or 临期 (``"soon"``) items the user is responsible for:
    workflow steps past (or near) their deadline, and ledgers' deadline clocks."""
    today = today or dt.date.today()
    items: list[Item] = []
    for wf in all_workflows():
        mine = responsibility_q(wf, user)
        if mine is None:
            continue
        items += [_item(wf, o, today) for o in _scoped(wf, user, _due(wf, state, today) & mine)]
    if state == "overdue":
        items += [i for i in provided(user, today) if i.overdue]
    return _sorted(items)


def _due(wf: Workflow, state: str, today: dt.date) -> Q:
    if state == "overdue":
        return wf.due_q(before=today)
    return wf.due_q(within=(today, today + dt.timedelta(days=wf.soon_days())))


def done_by(user: User, limit: int = LISTED) -> list[dict[str, Any]]:
    """我已办: the steps the user took or sent back, newest first, with the record."""
    rows = (
        Transition.objects.filter(user=user)
        .exclude(action=Transition.Action.REMIND)
        .select_related("content_type")
        .order_by("-at", "-pk")[:limit]
    )
    return _with_records(list(rows), user)


def _with_records(rows: list[Transition], user: User) -> list[dict[str, Any]]:
    by_model: dict[Any, set[int]] = defaultdict(set)
    for t in rows:
        by_model[t.content_type.model_class()].add(t.object_id)
    found: dict[tuple[Any, int], models.Model] = {}
    for model, ids in by_model.items():
        if model is None or workflows.registry.for_model(model) is None:
            continue
        qs = scope.restrict(model._default_manager.filter(pk__in=ids), user, "view")
        for obj in qs.select_related("org_unit"):
            found[(model, obj.pk)] = obj
    out = []
    for t in rows:
        model = t.content_type.model_class()
        obj = found.get((model, t.object_id))
        if obj is None:
            continue
        wf = workflows.registry.for_model(model)
        assert wf is not None
        out.append(
            {
                "transition": t,
                "obj": obj,
                "ledger": registry.for_model(model),
                "url": page_url(wf, obj),
                "now": wf.next_action(obj),
            }
        )
    return out


def started_by(user: User, today: dt.date | None = None) -> list[dict[str, Any]]:
    """我发起的: open records the user registered, waiting on others, with their 催办."""
    today = today or dt.date.today()
    out = []
    for wf in workflows.registry:
        history = getattr(wf.model, "history", None)
        if history is None:
            continue
        ids = history.filter(history_type="+", history_user=user).values("id")
        qs = _scoped(wf, user, wf.open_q() & Q(pk__in=ids))
        for obj in qs:
            step = wf.current(obj)
            if step is None or wf.can(user, obj, step) is None:
                continue  # its step is the user's own: in 待我处理, not waiting on others
            reminders = workflows.transitions_of(obj).filter(action=Transition.Action.REMIND)
            out.append(
                {
                    "item": _item(wf, obj, today),
                    "reminders": reminders.count(),
                    "last_reminder": reminders.order_by("-at").first(),
                }
            )
    out.sort(key=lambda r: (r["item"].days_left is None, r["item"].days_left or 0))
    return out


def count_all(querysets: list[models.QuerySet]) -> list[int]:
    """The row counts of several querysets in one round trip to the database."""
    if not querysets:
        return []
    parts, params = [], []
    for i, qs in enumerate(querysets):
        try:
            sql, args = qs.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # a condition that matches nothing (pk__in=[])
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS c{i})")
        params += list(args)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return [int(n) for n in cursor.fetchone()]


def counts(user: User) -> dict[str, int]:
    """The top bar's numbers, equal to the lengths of the workbench's 待我处理 and 逾期
    lists: every list counted in one query, and the few records separation of duties
    may keep from the user looked at one by one."""
    today = dt.date.today()
    mine_qs, late_qs, checks = [], [], []
    for wf in all_workflows():
        q = wf.pending_q(user)
        if q is not None:
            mine_qs.append(_scoped(wf, user, q))
            suspect = _suspects(wf, user)
            ids = set().union(*suspect.values()) if suspect else set()
            if ids:
                checks.append((wf, q & Q(pk__in=ids), suspect))
        resp = responsibility_q(wf, user)
        if resp is not None:
            late_qs.append(_scoped(wf, user, resp & _due(wf, "overdue", today)))
    numbers = count_all(mine_qs + late_qs)
    mine = sum(numbers[: len(mine_qs)])
    for wf, q, suspect in checks:
        mine -= sum(_kept_from(wf, user, obj, suspect) for obj in _scoped(wf, user, q))
    # Items of other mechanisms (data requests to fill or review): few, listed whole.
    extra_mine, extra_late = provided_counts(user, today)
    mine += extra_mine
    late = sum(numbers[len(mine_qs) :]) + extra_late
    return {"pending": mine, "overdue": late}


COUNTS_ATTR = "_work_counts"


def request_counts(request: HttpRequest) -> dict[str, int]:
    """The counts of ``request.user``, computed once per request and kept on it."""
    found = getattr(request, COUNTS_ATTR, None)
    if found is None:
        found = counts(request.user)
        setattr(request, COUNTS_ATTR, found)
    return found


def top_counts(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the workbench counts for the top bar, lazily: a page that
    does not show them (a fragment, an error page) runs no query for them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"work_counts": SimpleLazyObject(lambda: request_counts(request))}


# --- 督办: overdue by department and by township -----------------------------------------------


def supervision(items: list[Item]) -> dict[str, list[dict[str, Any]]]:
    """Overdue items counted by the department that owns each line and by township."""
    by_dept: dict[int, dict[str, Any]] = {}
    by_town: dict[int | None, dict[str, Any]] = {}
    dept_cache: dict[str, list[OrgUnit]] = {}
    for item in items:
        if item.line not in dept_cache:
            dept_cache[item.line] = workflows.departments_of(item.line)
        for dept in dept_cache[item.line]:
            row = by_dept.setdefault(dept.pk, {"unit": dept, "count": 0})
            row["count"] += 1
        town = item.township
        row = by_town.setdefault(town.pk if town else None, {"unit": town, "count": 0})
        row["count"] += 1
    base = reverse("web:workbench_overdue")
    for row in by_dept.values():
        row["url"] = f"{base}?{urlencode({'department': row['unit'].pk})}"
    for key, row in by_town.items():
        row["url"] = f"{base}?{urlencode({'township': key if key else 'none'})}"
    return {
        "departments": sorted(by_dept.values(), key=lambda r: (-r["count"], r["unit"].sort)),
        "townships": sorted(
            by_town.values(), key=lambda r: (-r["count"], r["unit"].path if r["unit"] else "~")
        ),
    }


def filter_overdue(items: list[Item], params: Any, user: User) -> tuple[list[Item], str]:
    """The overdue items of one department or township (the 督办 drill-down)."""
    if dept := params.get("department", ""):
        unit = OrgUnit.objects.filter(pk=dept).first() if dept.isdigit() else None
        if unit is None:
            raise Http404("没有这个股室")
        line_ok = {i.line for i in items if unit in workflows.departments_of(i.line)}
        return [i for i in items if i.line in line_ok], unit.name
    if town := params.get("township", ""):
        if town == "none":
            return [i for i in items if i.township is None], "县直及其他"
        unit = (
            scope.org_units_for(user).townships().filter(pk=town).first()
            if town.isdigit()
            else None
        )
        if unit is None:
            raise Http404("没有这个乡镇，或不在您的管辖范围内")
        return [i for i in items if i.township and i.township.pk == unit.pk], unit.name
    return items, ""


# --- pages ----------------------------------------------------------------------------------


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    """``/workbench/``: the landing page of every signed-in user."""
    user = request.user
    today = dt.date.today()
    overdue = dated(user, "overdue", today)
    soon = dated(user, "soon", today)
    mine = pending(user, today)
    leader = user.is_admin or user.role == Role.LEADER
    # The top bar shows these very lists' lengths: no second count on this page.
    setattr(request, COUNTS_ATTR, {"pending": len(mine), "overdue": len(overdue)})
    return render(
        request,
        "web/workbench.html",
        {
            "today": today,
            "pending": mine[:LISTED],
            "pending_total": len(mine),
            "overdue": overdue[:LISTED],
            "overdue_total": len(overdue),
            "soon": soon[:LISTED],
            "soon_total": len(soon),
            "done": done_by(user),
            "started": started_by(user, today)[:LISTED],
            "supervision": supervision(overdue) if leader else None,
        },
    )


@login_required
def overdue_list(request: HttpRequest) -> HttpResponse:
    """``/workbench/overdue/?department=<id>|township=<id>``: the 督办 drill-down."""
    items, title = filter_overdue(dated(request.user, "overdue"), request.GET, request.user)
    return render(
        request,
        "web/workbench_list.html",
        {"items": items, "title": title, "total": len(items), "today": dt.date.today()},
    )


def _record(workflow: Workflow, user: User, pk: int) -> models.Model:
    obj = scope.restrict(workflow.model._default_manager.all(), user, "view").filter(pk=pk)
    found = obj.select_related("org_unit").first()
    if found is None:
        raise Http404("没有这条记录，或不在您的管辖范围内")
    return found


def _workflow(name: str) -> Workflow:
    try:
        return workflows.registry.get(name)
    except KeyError:
        raise Http404("没有这个流程") from None


@require_POST
@login_required
def remind(request: HttpRequest, workflow: str, pk: int) -> HttpResponse:
    """催办: recorded on the record's current step."""
    wf = _workflow(workflow)
    obj = _record(wf, request.user, pk)
    try:
        workflows.remind(obj, request.user, request.POST.get("note", ""))
    except workflows.StepRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已催办：{obj}")
    return redirect(request.POST.get("next") or reverse("web:workbench"))


def stage_bar(workflow: Workflow, obj: models.Model) -> list[dict[str, Any]]:
    """The steps of ``obj`` as the stage bar shows them: done (with date), current, to do."""
    current = workflow.current(obj)
    bar = []
    passed = True
    for s in workflow.steps:
        if s is current:
            passed = False
        if not s.applies(obj):
            continue
        date = getattr(obj, s.done)
        state = "current" if s is current else ("done" if passed and date else "todo")
        if s.optional and date is None:
            state = "optional"
        bar.append({"label": s.label, "date": date, "state": state})
    return bar


def step_form_class(workflow: Workflow, step: Step) -> type[forms.ModelForm]:
    ledger = registry.for_model(workflow.model)
    base = type(f"{workflow.model.__name__}{step.code}StepForm", (LedgerForm,), {"ledger": ledger})
    return forms.modelform_factory(
        workflow.model, form=base, fields=list(step.all_fields()), formfield_callback=_formfield
    )


class WorkStep:
    """Everything the step screen shows for one record and user."""

    def __init__(self, workflow: Workflow, obj: models.Model, user: User, chosen: str = "") -> None:
        self.workflow, self.obj, self.user = workflow, obj, user
        self.current = workflow.current(obj)
        # Optional steps (延期, 复查) the user may take now, offered beside the current one.
        self.optional = [s for s in workflow.available(obj) if workflow.can(user, obj, s) is None]
        picked = next((s for s in self.optional if s.code == chosen), None)
        self.step = picked or self.current
        self.why_not = workflow.can(user, obj, self.step) if self.step else None
        back = workflow.previous(obj, self.current)
        acting = self.current or back
        self.can_send_back = bool(
            back
            and acting
            and (user.is_admin or acting.actor.allows(user, obj, workflow))
            and self.why_not is None
        )


def _step_page(
    request: HttpRequest, wf: Workflow, obj: models.Model, form: Any = None, status: int = 200
) -> HttpResponse:
    chosen = request.POST.get("step") or request.GET.get("step", "")
    work = WorkStep(wf, obj, request.user, chosen)
    if form is None and work.step is not None and work.why_not is None:
        initial = {work.step.done: dt.date.today()}
        form = step_form_class(wf, work.step)(instance=obj, user=request.user, initial=initial)
    ledger = registry.for_model(wf.model)
    return render(
        request,
        "web/work_step.html",
        {
            "workflow": wf,
            "object": obj,
            "ledger": ledger,
            "work": work,
            "form": form,
            "stage_bar": stage_bar(wf, obj),
            "next_action": wf.next_action(obj),
            "transitions": workflows.transitions_of(obj),
            "version": versions.token(obj),
        },
        status=status,
    )


@login_required
def work_step(request: HttpRequest, workflow: str, pk: int) -> HttpResponse:
    """``/work/<workflow>/<pk>/``: stage bar, the current step's form only, and the
    buttons the user's role allows (提交, 退回 with a reason)."""
    wf = _workflow(workflow)
    obj = _record(wf, request.user, pk)
    if request.method != "POST":
        return _step_page(request, wf, obj)
    action = request.POST.get("action", "submit")
    with transaction.atomic():
        locked = versions.lock(wf.model._default_manager.all(), obj.pk)
        if locked is None:
            raise Http404("没有这条记录")
        conflict = versions.check(locked, request.POST.get(versions.VERSION_FIELD))
        if conflict is not None:
            messages.error(request, versions.form_message(conflict))
            return _step_page(request, wf, locked, status=409)
        if action == "send_back":
            work = WorkStep(wf, locked, request.user)
            if not work.can_send_back:
                raise PermissionDenied("您不能退回该事项")
            try:
                back = workflows.send_back(locked, request.user, request.POST.get("reason", ""))
            except workflows.StepRefused as exc:
                messages.error(request, str(exc))
                return _step_page(request, wf, locked, status=400)
            messages.success(request, f"已退回到“{back.label}”")
            return redirect(request.path)
        step = WorkStep(wf, locked, request.user, request.POST.get("step", "")).step
        if step is None:
            messages.error(request, "该事项已全部办结")
            return redirect(request.path)
        try:
            workflows.take(locked, step.code, request.user)
        except workflows.StepRefused as exc:
            messages.error(request, str(exc))
            return _step_page(request, wf, locked, status=403)
        form = step_form_class(wf, step)(
            request.POST, request.FILES, instance=locked, user=request.user
        )
        if not form.is_valid():
            locked.refresh_from_db()
            return _step_page(request, wf, locked, form=form, status=400)
        saved = form.save(commit=False)
        saved._change_reason = step.label
        saved.save()
        scope.ensure_reachable(saved, request.user, "view")
        workflows.record(saved, wf, step, request.user)
    messages.success(request, f"“{step.label}”已提交")
    return redirect(request.path)


@registry.detail_panel
def workflow_panel(ledger: Ledger, obj: models.Model, user: User) -> dict[str, Any] | None:
    """On a record's page: for a workflowed record the stage bar, who acts next and the
    办理 button; for every running deadline no step covers, one line: who must do what
    by when."""
    wf = workflows.registry.for_model(type(obj))
    clocks = [
        c.next_action(obj)
        for c in workflows.clock_workflows(ledger)
        if ledger.model._default_manager.filter(c.open_q(), pk=obj.pk).exists()
    ]
    if wf is None and not clocks:
        return None
    panel: dict[str, Any] = {"template": "web/_workflow_panel.html", "clocks": clocks}
    if wf is not None:
        step = wf.current(obj)
        panel |= {
            "stage_bar": stage_bar(wf, obj),
            "next_action": wf.next_action(obj),
            "step_url": page_url(wf, obj),
            "can_act": step is not None and wf.can(user, obj, step) is None,
        }
    return panel
