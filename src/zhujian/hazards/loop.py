"""Querysets and step actions of the hazard loop, shared by the web pages and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from zhujian.core import scope, versions
from zhujian.core.models import OrgUnit, User
from zhujian.hazards.forms import STEPS
from zhujian.hazards.models import Hazard, HazardQuerySet


def visible(user: User) -> HazardQuerySet:
    return scope.restrict(Hazard.objects.all(), user, "view")


def filtered(user: User, params: Any, overdue: bool = False) -> HazardQuerySet:
    """Hazards the user may see, filtered by line, township, status and overdue (as of today)."""
    qs = visible(user).select_related("org_unit")
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


def get_for_change(user: User, pk: int) -> Hazard:
    """The hazard ``pk`` if the user may see it (else 404) and change it (else 403)."""
    hazard = visible(user).filter(pk=pk).first()
    if hazard is None:
        raise Http404("没有这条隐患记录")
    if not scope.restrict(Hazard.objects.filter(pk=pk), user, "change").exists():
        raise PermissionDenied("您不能处理该业务条线的隐患")
    return hazard


def apply_step(
    hazard: Hazard,
    step: str,
    data: Any,
    files: Any = None,
    *,
    version: str | None = None,
    if_match: str = "",
) -> Any:
    """Validate and save one step; returns the bound form (check ``form.errors``; a stale
    ``version`` also sets ``form.conflict``).

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
        if form.is_valid():
            obj = form.save(commit=False)
            obj._change_reason = form_class.label
            obj.save()
    return form


def errors_of(form: Any) -> dict[str, list[str]]:
    return {k: [str(m) for m in v] for k, v in form.errors.items()}
