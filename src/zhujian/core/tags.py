"""Report tags (报告标记): how a template names one particular record.

Figures about a named record select it with :func:`tagged`; staff attach and move tags on
the record's page (see ``zhujian.web.tag_views``). A ledger offers the tag panel when its
declaration says ``Ledger(report_tags=True)``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models, transaction
from django.db.models import Q

from zhujian.core.models import RecordTag
from zhujian.core.registry import registry

MAX_TAGS = 20
MAX_LENGTH = 50


class TagError(ValueError):
    """A tag that cannot be set; the message is Chinese."""


def _ledger_name(model: type[models.Model]) -> str:
    return registry.for_model(model).name


def tagged(model: type[models.Model], tag: str, via: str | None = None) -> Q:
    """Records of ``model`` carrying ``tag`` — or, with ``via`` (a foreign key of ``model``),
    records whose ``via`` record carries it (a tagged project's progress reports)."""
    target = model._meta.get_field(via).related_model if via else model
    ids = RecordTag.objects.filter(ledger=_ledger_name(target), tag=tag).values("record_id")
    ids.report_tag = tag  # read by reports.coverage to describe the condition in words
    return Q(**{f"{via}__in" if via else "pk__in": ids})


def tags_of(obj: models.Model) -> list[str]:
    return list(
        RecordTag.objects.filter(ledger=_ledger_name(type(obj)), record_id=obj.pk)
        .order_by("tag")
        .values_list("tag", flat=True)
    )


def clean_tag(text: str) -> str:
    tag = " ".join(str(text).split())
    if not tag:
        raise TagError("报告标记不能为空")
    if len(tag) > MAX_LENGTH:
        raise TagError(f"报告标记最多 {MAX_LENGTH} 个字")
    return tag


def add(obj: models.Model, text: str) -> str:
    tag = clean_tag(text)
    name = _ledger_name(type(obj))
    with transaction.atomic():
        existing = RecordTag.objects.filter(ledger=name, record_id=obj.pk)
        if existing.filter(tag=tag).exists():
            return tag
        if existing.count() >= MAX_TAGS:
            raise TagError(f"一条记录最多 {MAX_TAGS} 个报告标记")
        RecordTag.objects.create(ledger=name, record_id=obj.pk, tag=tag)
    return tag


def remove(obj: models.Model, text: str) -> None:
    for row in RecordTag.objects.filter(
        ledger=_ledger_name(type(obj)), record_id=obj.pk, tag=str(text).strip()
    ):
        row.delete()  # one by one: each removal lands in the history


def set_tags(obj: models.Model, tags: Iterable[str]) -> None:
    """Give ``obj`` exactly ``tags`` (demo generators and imports)."""
    wanted = {clean_tag(t) for t in tags}
    current = set(tags_of(obj))
    for tag in current - wanted:
        remove(obj, tag)
    for tag in sorted(wanted - current):
        add(obj, tag)


def records_with(model: type[models.Model], tag: str) -> models.QuerySet:
    return model._default_manager.filter(tagged(model, tag))
