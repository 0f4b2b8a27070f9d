"""Helpers for the generic ledger tests: form data from an existing record, picking records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from zhujian.core import invariants, workflows
from zhujian.core.models import OrgUnit, User
from zhujian.core.registry import Ledger


def form_data(ledger: Ledger, obj: models.Model) -> dict[str, Any]:
    """POST data for the ledger's form that reproduces ``obj``."""
    data: dict[str, Any] = {}
    for name in ledger.form_fields or ():
        f = ledger.field(name)
        if isinstance(f, models.FileField):
            continue
        value = getattr(obj, f.attname)
        if isinstance(f, models.BooleanField):
            if value:
                data[name] = "on"
            continue
        data[name] = _plain(value)
    return data


def api_data(ledger: Ledger, obj: models.Model) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in ledger.form_fields or ():
        f = ledger.field(name)
        if isinstance(f, models.FileField):
            continue
        value = getattr(obj, f.attname)
        data[name] = (
            value if isinstance(value, bool) else (_plain(value) if value is not None else None)
        )
    return data


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def records_inside(ledger: Ledger, unit: OrgUnit) -> models.QuerySet:
    return ledger.model._default_manager.filter(org_unit__path__startswith=unit.path)


def records_outside(ledger: Ledger, unit: OrgUnit) -> models.QuerySet:
    return ledger.model._default_manager.exclude(org_unit__path__startswith=unit.path)


def deletable(ledger: Ledger, among: models.QuerySet | None = None) -> models.Model | None:
    """A record that can be deleted (no protected children, and no legal rule over several
    records refuses its deletion: ``core.invariants``), fetched fresh; ``among``: one of
    these records."""
    manager = ledger.model._default_manager if among is None else among
    for obj in [*manager.order_by("pk")[:20], *manager.order_by("-pk")[:20]]:
        try:
            collector = models.deletion.Collector(using="default")
            collector.collect([obj])
        except models.ProtectedError:
            continue
        if invariants.rules.reading(ledger.model) and not _rules_allow_deleting(obj):
            continue
        return manager.get(pk=obj.pk)
    return None


class _Undo(Exception):
    pass


def _rules_allow_deleting(obj: models.Model) -> bool:
    from django.db import transaction

    try:
        with transaction.atomic():
            type(obj)._default_manager.get(pk=obj.pk).delete()
            raise _Undo
    except invariants.RuleViolation:
        return False
    except _Undo:
        return True


def delete_confirmation(obj: models.Model, user: User) -> dict[str, str]:
    """What the delete page posts once the user ticks "delete the related records too"
    (nothing when there are none)."""
    from zhujian.core import deletion

    children = deletion.plan(obj, user).children
    if not children:
        return {}
    return {"confirm_cascade": "1", "expected_children": str(children)}


def editor_for(ledger: Ledger) -> User:
    """A department user who may edit the ledger's line (else the admin). A ledger with a
    workflow: the admin, the one account that may backfill a record's finished steps at
    once (each step is otherwise its actor's, see tests/core/test_workflows.py)."""
    if workflows.registry.for_model(ledger.model) is not None:
        return User.objects.get(username="admin")
    user = (
        User.objects.filter(role="department", business_lines__contains=ledger.line).first()
        if _json_contains_supported()
        else None
    )
    if user is None:
        for candidate in User.objects.filter(role="department"):
            if ledger.line in (candidate.business_lines or []):
                return candidate
        return User.objects.get(username="admin")
    return user


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"
