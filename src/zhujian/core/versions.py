"""Optimistic concurrency for ledger records: a version token, checked under a row lock.

Two people open the same record; the later save must not silently undo the earlier one.
Every record has a **version token**, ``"<latest history id>-<updated_at in µs>"``:

- the history id changes with every audited write — forms, API, Excel imports (which
  update in bulk without touching ``updated_at``) and hazard steps alike;
- ``updated_at`` (``auto_now``; microseconds on SQLite and PostgreSQL) covers a save
  that skipped the history.

A writer sends back the token it read (the API's ``If-Match`` header with the ``ETag`` it
got, a form's hidden ``_version`` field). The write locks the row (``SELECT … FOR
UPDATE`` on PostgreSQL; SQLite lets one writer at a time anyway), compares the token
with the current one inside the same transaction, and refuses when they differ, naming
who changed the record since and when (from the history).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

VERSION_FIELD = "_version"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
IGNORED_FIELDS = {"updated_at", "created_at"}


def _micros(value: dt.datetime | None) -> int:
    if value is None:
        return 0
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return (value - EPOCH) // dt.timedelta(microseconds=1)


def _history_model(model: type[models.Model]) -> type[models.Model] | None:
    history = getattr(model, "history", None)
    return getattr(history, "model", None)


def current(model: type[models.Model], pk: Any) -> str | None:
    """The record's version token as stored now (None: no such record). One query."""
    qs = model._default_manager.filter(pk=pk)
    history = _history_model(model)
    if history is not None:
        latest = history.objects.filter(**{model._meta.pk.attname: OuterRef("pk")}).order_by(
            "-history_id"
        )
        qs = qs.annotate(_hid=Subquery(latest.values("history_id")[:1]))
    has_updated = any(f.name == "updated_at" for f in model._meta.concrete_fields)
    columns = [c for c, ok in (("_hid", history is not None), ("updated_at", has_updated)) if ok]
    if not columns:
        return "0-0" if qs.exists() else None
    row = qs.values(*columns).first()
    if row is None:
        return None
    return f"{row.get('_hid') or 0}-{_micros(row.get('updated_at'))}"


def token(obj: models.Model) -> str:
    return current(type(obj), obj.pk) or ""


def etag(obj: models.Model) -> str:
    """The HTTP ``ETag`` value for ``obj`` (a strong, quoted tag)."""
    return f'"{token(obj)}"'


def locked[Q: models.QuerySet](queryset: Q) -> Q:
    """``queryset`` locking the rows it reads until the transaction ends (only the ledger's
    own rows: ``of=self`` keeps the org units a scope filter joins unlocked)."""
    return queryset.select_for_update(of=("self",))


def lock(queryset: models.QuerySet, pk: Any) -> models.Model | None:
    """Fetch and lock record ``pk`` of ``queryset`` (call inside ``transaction.atomic``)."""
    return locked(queryset).filter(pk=pk).first()


def _history_id(tok: str) -> int | None:
    head = tok.split("-", 1)[0]
    return int(head) if head.isdigit() else None


@dataclass
class Change:
    who: str
    when: dt.datetime
    fields: list[str]

    def __str__(self) -> str:
        stamp = timezone.localtime(self.when).strftime("%Y-%m-%d %H:%M:%S")
        what = f"修改了“{'、'.join(self.fields)}”" if self.fields else "修改了该记录"
        return f"{self.who} 于 {stamp} {what}"


def changes_since(obj: models.Model, tok: str) -> list[Change]:
    """The audited writes to ``obj`` after version ``tok``, oldest first, with the fields
    each changed (verbose names)."""
    history = getattr(type(obj), "history", None)
    since = _history_id(tok)
    if history is None or since is None:
        return []
    rows = history.filter(**{obj._meta.pk.attname: obj.pk})
    previous = rows.filter(history_id__lte=since).order_by("-history_id").first()
    out = []
    for row in (
        rows.filter(history_id__gt=since).select_related("history_user").order_by("history_id")
    ):
        names: list[str] = []
        if previous is not None:
            delta = row.diff_against(previous)
            names = [
                str(obj._meta.get_field(n).verbose_name)
                for n in delta.changed_fields
                if n not in IGNORED_FIELDS
            ]
        user = row.history_user
        out.append(Change(str(user) if user else "系统（导入或后台）", row.history_date, names))
        previous = row
    return out


@dataclass
class Conflict:
    """A write based on version ``sent`` of a record whose version is now ``current``."""

    sent: str
    current: str
    changes: list[Change]

    def describe(self) -> str:
        if not self.sent:
            return "无法确认您看到的是该记录的最新内容（页面可能已过期）"
        if self.changes:
            return "；".join(str(c) for c in self.changes[-3:]) + (
                f"（共 {len(self.changes)} 次修改）" if len(self.changes) > 3 else ""
            )
        return "该记录已被他人修改"


def check(obj: models.Model, sent: str | None) -> Conflict | None:
    """Compare the version a writer read (``sent``) with ``obj``'s current one; call with
    the row locked. None when they agree."""
    now = token(obj)
    sent = (sent or "").strip()
    if sent == now:
        return None
    return Conflict(sent, now, changes_since(obj, sent) if sent else [])


def form_message(conflict: Conflict) -> str:
    return (
        f"本次没有保存：您打开此页面之后，{conflict.describe()}。为避免覆盖他人的修改，"
        "请核对下方内容（保留的是您填写的值），确认后再次保存，或返回查看最新内容。"
    )


def api_message(conflict: Conflict) -> str:
    return (
        f"记录已被修改，If-Match 中的版本已过期：{conflict.describe()}。"
        "本次没有保存；请重新获取该记录（GET，取新的 ETag）后再提交。"
    )


def parse_if_match(header: str) -> list[str] | None:
    """The entity tags of an ``If-Match`` header (``["*"]`` for any); None when absent.
    ``W/`` is ignored: proxies that compress a response weaken its ETag."""
    if not header or not header.strip():
        return None
    tags = []
    for part in header.split(","):
        part = part.strip()
        if part.startswith("W/"):
            part = part[2:]
        tags.append(part.strip('"'))
    return tags


def check_if_match(obj: models.Model, header: str) -> Conflict | None:
    """``check`` for an ``If-Match`` header: absent or ``*`` passes; otherwise one of its
    tags must be the current version."""
    tags = parse_if_match(header)
    if tags is None or "*" in tags:
        return None
    now = token(obj)
    if now in tags:
        return None
    sent = next((t for t in tags if _history_id(t) is not None), tags[0])
    return Conflict(sent, now, changes_since(obj, sent))


class VersionedFormMixin:
    """For a ModelForm: a hidden version field when it edits an existing record; the view
    compares it under a row lock (:func:`check`) before saving."""

    fields: dict[str, forms.Field]
    data: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            self.fields[VERSION_FIELD] = forms.CharField(
                widget=forms.HiddenInput, required=False, initial=token(instance)
            )

    def refuse(self, conflict: Conflict) -> None:
        """Show ``conflict`` and carry the current version, so that saving again is a
        deliberate decision taken after seeing the message."""
        self.data = self.data.copy()
        self.data[VERSION_FIELD] = conflict.current
        if not hasattr(self, "cleaned_data"):
            self.full_clean()  # type: ignore[attr-defined]
        self.add_error(None, form_message(conflict))  # type: ignore[attr-defined]
