"""Scope: the one place that decides which records a user may see or change.

Every queryset a page, API endpoint, export, import or figure drill-down can reach
goes through :func:`restrict`. Rules:

- 系统管理员 (and superusers): everything.
- 局领导: reads everything, changes no ledger record.
- 业务股室: reads everything; changes records of its own business lines, county-wide.
- 乡镇: reads and changes only records inside its 乡镇/街道; changes only the lines
  it reports on.

A ledger shared by several lines (the hazard loop) names the field holding each
record's line in ``Ledger.line_field``: a user who may not change the ledger's own line
may still change its records of the lines the user edits (:func:`can_ledger`,
:func:`editable_lines`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.core.exceptions import PermissionDenied
from django.db import models

from zhujian.core.models import BUSINESS_ROLES, OrgUnit, OrgUnitQuerySet, Role, User

if TYPE_CHECKING:
    from zhujian.core.registry import Ledger

Action = Literal["view", "add", "change", "delete"]


def _user_unit_root(user: User) -> OrgUnit | None:
    """The org unit whose subtree bounds the user's records (None: the whole county)."""
    if user.is_admin or user.role in (Role.LEADER, Role.DEPARTMENT):
        return None
    return user.org_unit


def can_edit_line(user: User, line: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_admin:
        return True
    if user.role in (Role.DEPARTMENT, Role.TOWNSHIP):
        return line in (user.business_lines or [])
    return False


def can(user: User, action: Action, line: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if action == "view":
        # the security and audit administrators (三员分立) see no business records
        return user.is_admin or user.role in BUSINESS_ROLES
    return can_edit_line(user, line)


def editable_lines(user: User, ledger: Ledger) -> list[str]:
    """The lines whose records of ``ledger`` the user may change (all when it may change
    the ledger's own line)."""
    if can_edit_line(user, ledger.line):
        from zhujian.core import lines

        return [line.code for line in lines.LINES]
    return [ln for ln in user.business_lines or [] if can_edit_line(user, ln)]


def can_ledger(user: User, action: Action, ledger: Ledger) -> bool:
    """May ``user`` do ``action`` on some record of ``ledger`` (pages and API ask this)?"""
    if can(user, action, ledger.line):
        return True
    return action != "view" and bool(ledger.line_field) and bool(editable_lines(user, ledger))


def restrict[Q: models.QuerySet](queryset: Q, user: User, action: Action = "view") -> Q:
    """Limit ``queryset`` (of a registered ledger, or of OrgUnit) to what ``user`` may reach."""
    from zhujian.core.registry import registry

    model = queryset.model
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if model is OrgUnit:
        root = _user_unit_root(user)
        return queryset if root is None else queryset.filter(path__startswith=root.path)
    ledger = registry.for_model(model)
    if not can(user, action, ledger.line):
        lines = editable_lines(user, ledger) if ledger.line_field else []
        if not lines:
            return queryset.none()
        queryset = queryset.filter(**{f"{ledger.line_field}__in": lines})
    root = _user_unit_root(user)
    if root is None:
        if user.role == Role.TOWNSHIP:  # a township user without a unit sees nothing
            return queryset.none()
        return queryset
    return queryset.filter(org_unit__path__startswith=root.path)


def ensure_reachable(obj: models.Model, user: User, action: Action = "change") -> None:
    """Refuse (PermissionDenied) a record that, as saved, lies outside what ``user`` may
    ``action`` — whatever a linked record, a form field or a rule made of it. Call it after
    saving, inside the transaction, so the refusal rolls the write back."""
    model = type(obj)
    if not restrict(model._default_manager.filter(pk=obj.pk), user, action).exists():
        raise PermissionDenied("保存后的记录不在您的管辖范围或业务条线内，未保存")


def org_units_for(user: User, action: Action = "view") -> OrgUnitQuerySet:
    """Org units a user may file records under (or view, for filters)."""
    return restrict(OrgUnit.objects.all(), user, action)


def unit_allowed(user: User, unit: OrgUnit) -> bool:
    root = _user_unit_root(user)
    if root is None:
        return user.is_authenticated and not (user.role == Role.TOWNSHIP)
    return root.contains(unit)


def revealable(user: User, ledger: Ledger, queryset: models.QuerySet) -> models.QuerySet:
    """The records of ``queryset`` whose personal data (``core.personal``) ``user`` may see
    unmasked: those it may change, on a line that may see them."""
    from zhujian.core import personal

    if personal.declared(ledger) is None or not user.is_authenticated:
        return queryset.none()
    if not any(can_edit_line(user, ln) for ln in personal.revealing_lines(ledger)):
        return queryset.none()
    if can_ledger(user, "change", ledger):
        return restrict(queryset, user, "change")
    # An editor of one of the extra lines: the records in its units.
    return restrict(queryset, user, "view")


def may_reveal(user: User, ledger: Ledger, obj: models.Model) -> bool:
    return revealable(user, ledger, type(obj)._default_manager.filter(pk=obj.pk)).exists()
