"""Codes (编号) township users type, and the scope in which each must be unique.

A code unique county-wide tells a township user who types one that another township's
record holds it (the refusal "已存在" is an existence oracle, issue 21). Each ledger that
township users write declares, in its :class:`~zhujian.core.registry.Ledger`, how its
codes avoid that:

- ``township_codes``: unique within the record's township only. The model carries a
  denormalised ``township`` column (:func:`township_field`), filled from ``org_unit`` on
  every write path (``derive()``, the import engine and the bulk inserts, one cached map
  for all rows, no query per row), and a ``UniqueConstraint(township, code)``
  (:func:`unique_in_township`). A record's ``org_unit`` may be a village, so
  ``(org_unit, code)`` would not be per township. Records filed outside any township (the
  county, the bureau) share the county's scope. The import engine matches rows by
  ``(township, code)``, so another township's code is as free as an unused one.
- ``assigned_codes``: unique county-wide (a code the public looks up, such as a draw's
  round code), assigned by the platform (:func:`assign`). Township users cannot type or
  change it on any path: a form shows it read-only, the API and imports refuse any value
  that is not the record's own with the same words whether the code is free or taken.

The declarations are checked at start-up (:func:`check_declaration`); the generic tests
(``tests/core/test_codes.py``) walk every ledger township users write.
"""

from __future__ import annotations

import secrets
import threading
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute

from zhujian.core import cached

if TYPE_CHECKING:
    from zhujian.core.models import User
    from zhujian.core.registry import Ledger

FIELD = "township"
ASSIGNED_REFUSAL = "{label}由系统自动分配，乡镇用户不能填写或修改；新增记录请留空"


class _TownshipAttribute(ForeignKeyDeferredAttribute):
    """``township_id`` reads as the township of the record's ``org_unit`` as it is now, so
    every path that writes the record (``save``, ``bulk_create``, ``bulk_update``, the
    import engine's ``COPY``) writes the right township, whatever was assigned."""

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        unit = instance.__dict__.get("org_unit_id")
        if unit is not None:
            return township_id(unit)
        return super().__get__(instance, cls)


class TownshipField(models.ForeignKey):
    """The denormalised township (乡镇/街道) of a record, derived from its ``org_unit``."""

    descriptor_class = _TownshipAttribute


def township_field() -> models.ForeignKey:
    """The denormalised ``township`` column of a ledger with per-township codes."""
    return TownshipField(
        "core.OrgUnit",
        models.PROTECT,
        editable=False,
        related_name="+",
        verbose_name="编号所属乡镇",
        db_index=False,  # the unique constraints lead with it
        help_text="记录所属单位的乡镇/街道（县级单位的记录为全县）；编号在其中唯一",
    )


def unique_in_township(*fields: str, name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=[FIELD, *fields], name=name)


# --- the township of an org unit, for every unit at once ---------------------------------

_lock = threading.Lock()
_scope_of: dict[int, int] = {}


def _load() -> dict[int, int]:
    from zhujian.core.models import OrgUnit

    return townships_by_unit(OrgUnit.objects.values_list("pk", "parent_id", "kind"))


def township_id(unit_id: int | None) -> int | None:
    """The id of the 乡镇/街道 that ``unit_id`` lies in (itself if it is one), or of the
    county (the root) for a unit outside every township. One query per process, again
    only when a unit it does not know appears or units change (:func:`invalidate`)."""
    if unit_id is None:
        return None
    global _scope_of
    found = _scope_of.get(unit_id)
    if found is None:
        with _lock:
            _scope_of = _load()  # swapped whole: a reader never sees it half-built
        found = _scope_of.get(unit_id)
    return found


def invalidate(**kwargs: Any) -> None:
    _scope_of.clear()


def unit_saved(instance: Any = None, created: bool = False, **kwargs: Any) -> None:
    """A unit moved (to another township) takes its records' code scope along: the stored
    ``township`` of the records under it is rewritten, one UPDATE per township and table."""
    invalidate()
    if created or instance is None:
        return
    from zhujian.core.models import OrgUnit
    from zhujian.core.registry import registry

    under = list(
        OrgUnit.objects.filter(path__startswith=instance.path).values_list("pk", flat=True)
    )
    by_township: dict[int, list[int]] = {}
    for unit in under:
        by_township.setdefault(township_id(unit) or unit, []).append(unit)
    for ledger in registry:
        if not ledger.township_codes:
            continue
        manager = ledger.model._base_manager
        for township, units in by_township.items():
            manager.filter(org_unit_id__in=units).exclude(township_id=township).update(
                township_id=township
            )


class _Forget:
    """Lets ``cached.invalidate_all`` (tests roll units back) forget the map too."""

    def invalidate(self) -> None:
        _scope_of.clear()


cached._ALL.append(_Forget())  # type: ignore[arg-type]


def has_township(model: type[models.Model]) -> bool:
    return any(f.name == FIELD for f in model._meta.concrete_fields)


# --- declarations -------------------------------------------------------------------------


def check_declaration(ledger: Ledger) -> None:
    """Fail at start-up on a declaration the model does not carry out."""
    model = ledger.model
    opts = model._meta
    if ledger.township_codes:
        if not has_township(model):
            raise ValueError(
                f"{ledger.name}: township_codes needs the field codes.township_field()"
            )
        constraints = {
            tuple(c.fields)
            for c in opts.constraints
            if isinstance(c, models.UniqueConstraint) and c.condition is None
        }
        for name in ledger.township_codes:
            if opts.get_field(name).unique:
                raise ValueError(f"{ledger.name}.{name}: unique per township, not county-wide")
            if (FIELD, name) not in constraints:
                raise ValueError(f"{ledger.name}.{name}: needs codes.unique_in_township({name!r})")
        if list(ledger.natural_key[:1]) != [FIELD]:
            raise ValueError(f"{ledger.name}: the natural key begins with {FIELD!r}")
    for name in ledger.assigned_codes:
        f = opts.get_field(name)
        if not f.unique:
            raise ValueError(f"{ledger.name}.{name}: an assigned code is unique county-wide")


def key_fields(ledger: Ledger) -> list[str]:
    """The natural key as a person types it (without the derived ``township``)."""
    return [k for k in ledger.natural_key if k != FIELD]


def assign(obj: models.Model, name: str, prefix: str) -> None:
    """Give ``obj`` a county-wide code if it has none: ``prefix`` + year + 6 random hex
    digits (no query, so a batch of new records never collides on a counter)."""
    if getattr(obj, name, ""):
        return
    day = getattr(obj, "scheduled_on", None) or getattr(obj, "created_at", None)
    year = f"{day:%Y}" if day else ""
    setattr(obj, name, f"{prefix}{year}-{secrets.token_hex(3).upper()}")


def types_codes(user: User) -> bool:
    """Whether ``user`` may type an assigned code (the bureau may; townships may not)."""
    from zhujian.core.models import Role

    return user.is_admin or user.role != Role.TOWNSHIP


def assigned_errors(
    ledger: Ledger, user: User, stored: models.Model | None, values: dict[str, Any]
) -> dict[str, str]:
    """A township user's value for an assigned code that is not the record's own: the same
    refusal whether the code is free or another township's."""
    errors = {}
    if types_codes(user):  # the bureau sees every record: a taken code is said to be taken
        manager = ledger.model._default_manager
        for name in ledger.assigned_codes:
            value = values.get(name) or ""
            clash = manager.filter(**{name: value})
            if stored is not None:
                clash = clash.exclude(pk=stored.pk)
            if value and clash.exists():
                label = ledger.field_label(name)
                errors[name] = f"{label}“{value}”已被另一条{ledger.label}使用（全县唯一）"
        return errors
    for name in ledger.assigned_codes:
        if name not in values:
            continue
        value = values[name] or ""
        own = getattr(stored, name, "") if stored is not None else ""
        if value and value != own:
            errors[name] = ASSIGNED_REFUSAL.format(label=ledger.field_label(name))
    return errors


def unique_errors(obj: models.Model) -> dict[str, str]:
    """Same-township duplicates of ``obj``'s codes, named by field (forms, the admin and
    the API; an import matches such a row to the stored record instead)."""
    names = getattr(type(obj), "township_codes", ())
    if not names or getattr(obj, "org_unit_id", None) is None:
        return {}
    opts = obj._meta
    errors = {}
    manager = type(obj)._default_manager
    for name in names:
        value = getattr(obj, name)
        if value in (None, ""):
            continue
        clash = manager.filter(**{FIELD: obj.township_id, name: value})
        if obj.pk is not None:
            clash = clash.exclude(pk=obj.pk)
        if clash.exists():
            label = opts.get_field(name).verbose_name
            errors[name] = (
                f"本乡镇已有{label}为“{value}”的{opts.verbose_name}，"
                "请核对编号（同一乡镇内编号不能重复）"
            )
    return errors


def validate(obj: models.Model) -> None:
    errors = unique_errors(obj)
    if errors:
        raise ValidationError(errors)


# --- migrations ---------------------------------------------------------------------------


def townships_by_unit(unit_rows: Any) -> dict[int, int]:
    """``{unit id: township id}`` for ``(id, parent id, kind)`` rows (see :func:`township_id`)."""
    from zhujian.core.models import TOWNSHIP_KINDS

    rows = {pk: (parent, kind) for pk, parent, kind in unit_rows}
    out: dict[int, int] = {}
    for pk in rows:
        unit: int | None = pk
        top = pk
        while unit is not None:
            parent, kind = rows[unit]
            if kind in TOWNSHIP_KINDS:
                break
            top = unit
            unit = parent
        out[pk] = unit if unit is not None else top
    return out


def fill_existing(app_label: str, *model_names: str) -> Any:
    """A ``RunPython`` step filling ``township`` of the stored rows (and of their history
    rows) of ``model_names``: one UPDATE per township and table, not one per row."""

    def run(apps: Any, schema_editor: Any) -> None:
        units = apps.get_model("core", "OrgUnit").objects.values_list("pk", "parent_id", "kind")
        by_township: dict[int, list[int]] = {}
        for unit, township in townships_by_unit(units).items():
            by_township.setdefault(township, []).append(unit)
        for name in model_names:
            for model_name in (name, f"historical{name}"):
                try:
                    model = apps.get_model(app_label, model_name)
                except LookupError:
                    continue
                for township, members in by_township.items():
                    model._base_manager.filter(org_unit_id__in=members).update(township_id=township)

    return run
