"""Claim fields: typed values whose later change is an audited correction with a reason.

A user-typed date is a claim, not a fact. Where such a date moves a statutory deadline (a
petition's receipt date, a cylinder's manufacture date, a licence's expiry), changing it
after it was first recorded must not silently move the deadline: it is a *correction*,
and a correction needs a reason, kept in the record's history (django-simple-history's
change reason) beside who made it and when.

A ledger declares its claim fields on the model::

    class PetitionCase(LedgerModel):
        claim_fields = ("received_on", "accepted_on", ...)

Filling in a claim field that was empty is ordinary progress (a reply date entered when
the reply is sent) and needs no reason; changing or clearing a stored value does.

Some records are evidence and never change once stored (a scan a device uploaded): their
``fixed_fields`` refuse any change, with or without a reason (``fixed_message`` says what to
do instead). ``watched_fields`` are only remembered, for rules that compare the stored
value with the new one (a scrapped cylinder may not return to service): :func:`stored`.

The values as loaded are remembered on the instance (``LeanLedgerModel.from_db``), so the
check needs no query on the usual paths. Every write path supplies the reason the same
way, by setting ``record._change_reason`` (simple-history's own attribute, which it writes
into the history row): the web form's 更正理由 field, the API's ``correction_reason``
field. ``LeanLedgerModel.save`` refuses a correction without one, whatever called it, so a
path that forgets to ask can never correct silently. Excel imports refuse corrections of
claim fields (a spreadsheet cell cannot say why), naming the record page where it is done.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

#: Form and API field through which a correction's reason is given.
REASON_FIELD = "correction_reason"
REASON_LABEL = "更正理由"
#: simple-history keeps the reason in a 100-character column; the prefix takes a few.
REASON_MAX_LENGTH = 80
PREFIX = "更正："
MISSING = object()


def fields_of(model: type[models.Model] | models.Model) -> tuple[str, ...]:
    """The claim fields a model declares (none for most ledgers)."""
    return tuple(getattr(model, "claim_fields", ()) or ())


def fixed_of(model: type[models.Model] | models.Model) -> tuple[str, ...]:
    return tuple(getattr(model, "fixed_fields", ()) or ())


def _remembered(model: type[models.Model] | models.Model) -> tuple[str, ...]:
    return (*fields_of(model), *fixed_of(model), *(getattr(model, "watched_fields", ()) or ()))


def remember(obj: models.Model) -> None:
    """Keep the stored values of the fields these rules compare (after loading or saving)."""
    names = _remembered(obj)
    if names:
        loaded = obj.__dict__
        obj._claims_loaded = {
            n: loaded[f.attname] for n in names if (f := _field(obj, n)).attname in loaded
        }


def _field(obj: models.Model | type[models.Model], name: str) -> models.Field:
    return obj._meta.get_field(name)


def _stored(obj: models.Model) -> dict[str, Any]:
    names = _remembered(obj)
    if not names or not obj.pk or obj._state.adding:
        return {}
    loaded = getattr(obj, "_claims_loaded", None)
    if loaded is not None and all(n in loaded for n in names):
        return loaded
    attnames = [_field(obj, n).attname for n in names]
    row = type(obj)._default_manager.filter(pk=obj.pk).values(*attnames).first()
    if row is None:
        return {}
    return {n: row[_field(obj, n).attname] for n in names}


def stored(obj: models.Model, name: str, default: Any = None) -> Any:
    """The value of field ``name`` as stored (``default`` for a new record)."""
    return _stored(obj).get(name, default)


def corrected(obj: models.Model) -> list[str]:
    """The claim fields whose stored (non-empty) value ``obj`` would change."""
    stored = _stored(obj)
    claimed = fields_of(obj)
    out = []
    for name, before in stored.items():
        if name not in claimed or before in (None, ""):
            continue
        if getattr(obj, _field(obj, name).attname) != before:
            out.append(name)
    return out


def reason_of(obj: models.Model) -> str:
    return str(getattr(obj, "_change_reason", "") or "").strip()


def set_reason(obj: models.Model, reason: str | None) -> None:
    """Record ``reason`` as the correction's reason (it goes into the history row)."""
    reason = (reason or "").strip()
    if reason:
        obj._change_reason = reason if reason.startswith(PREFIX) else PREFIX + reason


def describe(obj: models.Model, names: list[str]) -> str:
    stored = _stored(obj)
    parts = []
    for name in names:
        f = _field(obj, name)
        parts.append(
            f"{f.verbose_name}（原为{_show(stored.get(name))}，改为{_show(getattr(obj, f.attname))}）"
        )
    return "、".join(parts)


def _show(value: Any) -> str:
    return "空" if value in (None, "") else str(value)


def changed_fixed(obj: models.Model) -> list[str]:
    """The fixed fields whose stored value ``obj`` would change."""
    stored = _stored(obj)
    return [
        name
        for name in fixed_of(obj)
        if name in stored and getattr(obj, _field(obj, name).attname) != stored[name]
    ]


def errors(obj: models.Model) -> dict[str, str]:
    """Field → message for each fixed field changed, and each claim field corrected without
    a reason."""
    out: dict[str, str] = {}
    for name in changed_fixed(obj):
        out[name] = (
            f"{describe(obj, [name])}：{getattr(obj, 'fixed_message', '该项保存后不能修改')}"
        )
    names = corrected(obj)
    if names and not reason_of(obj):
        message = (
            f"{describe(obj, names)}：已登记的日期影响法定期限，更改属于更正，"
            f"须填写{REASON_LABEL}（记入修改历史）"
        )
        out.update({name: message for name in names})
    return out


def check(obj: models.Model) -> None:
    """Raise the Chinese refusal of a correction without a reason (see :func:`errors`)."""
    found = errors(obj)
    if found:
        raise ValidationError(found)


def import_errors(obj: models.Model) -> dict[str, str]:
    """An import never corrects a claim field: a spreadsheet cell cannot give the reason."""
    out = {name: message for name, message in errors(obj).items() if name in changed_fixed(obj)}
    for name in corrected(obj):
        out[name] = (
            f"{describe(obj, [name])}：已登记的日期影响法定期限，不能通过导入更改；"
            f"请在该记录的编辑页面更正，并填写{REASON_LABEL}"
        )
    return out
