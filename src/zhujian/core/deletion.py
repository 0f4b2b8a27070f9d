"""What deleting a record takes with it, decided before anything is deleted.

Deleting a project deletes its progress reports, a station its monthly records (``on_delete=
CASCADE``). :func:`plan` runs Django's deletion ``Collector`` — the very object that will
then delete — and describes every record that would go, per ledger: how many (all of
them, whoever may see them), the first few the user may see, and how many the user may
not delete. The delete page shows this and asks for an explicit confirmation; the API
refuses with 409 unless asked to cascade. A cascade that would reach records outside
the user's delete scope is refused outright: a township user must not delete another
township's records through a parent. Records protected by ``on_delete=PROTECT`` raise
``ProtectedError`` from :func:`plan`, as ``Model.delete`` would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models, router
from django.db.models.deletion import Collector

from zhujian.core import invariants, scope
from zhujian.core.models import User

SAMPLE_SIZE = 5


@dataclass
class Group:
    """The records of one model that a deletion would take along."""

    label: str
    ledger_name: str
    count: int
    samples: list[tuple[str, str]] = field(default_factory=list)  # (text, detail url)
    visible: int = 0
    forbidden: int = 0  # how many of them the user may not delete

    @property
    def hidden(self) -> int:
        return self.count - self.visible


@dataclass
class Plan:
    record: models.Model
    groups: list[Group]
    collector: Collector

    @property
    def children(self) -> int:
        return sum(g.count for g in self.groups)

    @property
    def forbidden(self) -> int:
        return sum(g.forbidden for g in self.groups)

    def summary(self) -> str:
        """``工程进度 12 条、运行记录 3 条`` — what goes along with the record."""
        return "、".join(f"{g.label} {g.count} 条" for g in self.groups)

    def forbidden_message(self) -> str:
        parts = "、".join(f"{g.label} {g.forbidden} 条" for g in self.groups if g.forbidden)
        return (
            f"不能删除“{self.record}”：删除它会一并删除 {parts}，其中有您无权删除的记录"
            "（属于您管辖范围以外的单位或业务条线）。请联系有权限的用户处理。"
        )

    def cascade_message(self) -> str:
        return (
            f"“{self.record}”还有关联记录，删除它会一并删除：{self.summary()}。"
            "请先删除这些关联记录，或确认一并删除。"
        )

    def as_data(self) -> list[dict[str, Any]]:
        return [{"ledger": g.ledger_name, "label": g.label, "count": g.count} for g in self.groups]

    def execute(self) -> None:
        """Delete the record and everything collected; each cascaded record's history row
        says which record it went with."""
        reason = f"随“{self.record}”一并删除"
        for instances in self.collector.data.values():
            for instance in instances:
                if instance is not self.record:
                    instance._change_reason = reason
        keys = [(o, o.pk) for instances in self.collector.data.values() for o in instances]
        try:
            with invariants.guarded():  # the rules of what stays, checked after the cascade
                self.collector.delete()
        except invariants.RuleViolation:
            for instance, pk in keys:  # rolled back: the records are still there
                instance.pk = pk
            raise


def protected_message(label: str) -> str:
    """The refusal for a record that ``on_delete=PROTECT`` children keep."""
    return f"“{label}”还有关联记录，不能删除；请先删除关联记录。"


def plan(obj: models.Model, user: User) -> Plan:
    """Collect what deleting ``obj`` would delete (raises ``ProtectedError``)."""
    from zhujian.core.registry import registry

    using = router.db_for_write(type(obj), instance=obj)
    collector = Collector(using=using, origin=obj)
    collector.collect([obj])  # holds ``obj`` itself, the instance the caller passed
    pks: dict[type[models.Model], set[Any]] = {}
    for model, instances in collector.data.items():
        pks.setdefault(model, set()).update(o.pk for o in instances if o is not obj)
    for qs in collector.fast_deletes:
        pks.setdefault(qs.model, set()).update(qs.values_list("pk", flat=True))
    groups = []
    for model, keys in pks.items():
        if not keys:
            continue
        ledger = registry.find(model)
        every = model._default_manager.filter(pk__in=keys)
        group = Group(
            label=ledger.label if ledger else str(model._meta.verbose_name),
            ledger_name=ledger.name if ledger else model._meta.label_lower,
            count=len(keys),
        )
        if ledger is None:  # not a ledger: nobody but an administrator deletes it by cascade
            group.forbidden = 0 if user.is_admin else group.count
        else:
            visible = scope.restrict(every, user, "view")
            group.visible = visible.count()
            group.samples = [
                (str(o), ledger.url("detail", pk=o.pk))
                for o in visible.order_by(*ledger.ordering)[:SAMPLE_SIZE]
            ]
            group.forbidden = group.count - scope.restrict(every, user, "delete").count()
        groups.append(group)
    groups.sort(key=lambda g: g.label)
    return Plan(obj, groups, collector)
