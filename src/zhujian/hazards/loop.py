"""Querysets and step actions of the hazard loop, shared by the web pages and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import Http404

from zhujian.core import scope, versions, workflows
from zhujian.core.models import OrgUnit, User
from zhujian.hazards.forms import STEPS, StepForm
from zhujian.hazards.models import Hazard, HazardQuerySet
from zhujian.hazards.workflows import HAZARD_WORKFLOW


def visible(user: User) -> HazardQuerySet:
    return scope.restrict(Hazard.objects.all(), user, "view")


def filtered(user: User, params: Any, overdue: bool = False) -> HazardQuerySet:
    """Hazards the user may see, filtered by line, township, status and overdue (as of today)."""
    qs = visible(user).select_related("org_unit__parent")
    line = params.get("line")
    if line:
        qs = qs.filter(line=line)
    township = params.get("township")
    if township:
        unit = scope.org_units_for(user).filter(pk=township).first() if township.isdigit() else None
        qs = qs.filter(org_unit__path__startswith=unit.path) if unit else qs.none()
    status = params.get("status")
    if status == "all":
        pass
    elif status:
        qs = qs.filter(status=status)
    else:
        qs = qs.open()
    if overdue or params.get("overdue") in ("1", "true", "on"):
        qs = qs.overdue(dt.date.today())
    return qs.order_by("notice_deadline", "-found_on", "pk")


def townships(user: User) -> list[OrgUnit]:
    return list(scope.org_units_for(user).townships().order_by("sort", "path"))


def get_for_step(user: User, pk: int) -> Hazard:
    """The hazard ``pk`` if the user may see it (else 404). Who may take which step is the
    workflow's actor rule (``hazards.workflows``), checked by :func:`apply_step`."""
    hazard = visible(user).filter(pk=pk).first()
    if hazard is None:
        raise Http404("没有这条隐患记录")
    return hazard


def step_for(user: User, hazard: Hazard) -> type[StepForm] | None:
    """The form of the hazard's current step if ``user`` may take it now."""
    step = HAZARD_WORKFLOW.current(hazard)
    if step is None or HAZARD_WORKFLOW.can(user, hazard, step):
        return None
    return STEPS[step.code]


def may_send_back(user: User, hazard: Hazard) -> bool:
    """退回 is the current step's actor's (the acceptor returns a rectification)."""
    step = HAZARD_WORKFLOW.current(hazard)
    return (
        step is not None
        and step.code == "verify"
        and HAZARD_WORKFLOW.can(user, hazard, step) is None
    )


def apply_step(
    hazard: Hazard,
    step: str,
    data: Any,
    files: Any = None,
    *,
    user: User,
    version: str | None = None,
    if_match: str = "",
) -> Any:
    """Validate and save one step as ``user``; returns the bound form (check
    ``form.errors``; a stale ``version`` also sets ``form.conflict``, a step the workflow
    does not let ``user`` take sets ``form.refused``).

    The hazard is read again with its row locked, so the status check and the save see
    the same state as any concurrent step. ``version``: the version the page was opened
    at (the form's hidden field); ``if_match``: the API's header (absent: no check).
    """
    form_class = STEPS.get(step)
    if form_class is None:
        raise Http404("未知的处理步骤")
    with transaction.atomic():
        hazard = versions.lock(Hazard.objects.all(), hazard.pk)
        if hazard is None:
            raise Http404("没有这条隐患记录")
        form = form_class(data, files, instance=hazard)
        form.refused = ""
        form.conflict = None
        # Who may take the step at all comes first (403), then the version (409), the order.
        why = HAZARD_WORKFLOW.can(user, hazard, HAZARD_WORKFLOW.step(step))
        if why:
            form.is_valid()
            form.refused = why
            form.add_error(None, why)
            return form
        form.conflict = (
            versions.check(hazard, version)
            if version is not None
            else versions.check_if_match(hazard, if_match)
        )
        if form.conflict is not None:
            form.refuse(form.conflict)
            return form
        if hazard.status not in form_class.allowed_from:
            form.is_valid()
            form.add_error(
                None, f"隐患当前状态为“{hazard.get_status_display()}”，不能{form_class.label}"
            )
            return form
        try:
            workflows.take(hazard, step, user)
        except workflows.StepRefused as exc:
            form.is_valid()
            form.refused = str(exc)
            form.add_error(None, form.refused)
            return form
        if form.is_valid():
            obj = form.save(commit=False)
            obj._change_reason = form_class.label
            obj.save()
            workflows.record(obj, HAZARD_WORKFLOW, HAZARD_WORKFLOW.step(step), user)
    return form


def send_back(user: User, pk: int, reason: str, version: str | None) -> str:
    """退回 a rectification (the acceptor's decision, with a reason); returns an error
    message or ``""``."""
    with transaction.atomic():
        hazard = versions.lock(visible(user), pk)
        if hazard is None:
            raise Http404("没有这条隐患记录")
        conflict = versions.check(hazard, version) if version is not None else None
        if conflict is not None:
            return versions.form_message(conflict)
        if not may_send_back(user, hazard):
            return "只有验收股室可以退回整改"
        try:
            workflows.send_back(hazard, user, reason)
        except workflows.StepRefused as exc:
            return str(exc)
    return ""


def errors_of(form: Any) -> dict[str, list[str]]:
    return {k: [str(m) for m in v] for k, v in form.errors.items()}
