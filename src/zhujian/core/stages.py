"""Staged entities: a declared sequence of stages, each marked by a date field.

A model that goes through fixed steps (危房改造 “七步走”, 经营性自建房 排查→初判→鉴定→整治,
棚改 and 老旧小区 stages) declares them once::

    class RuralHousingCase(StagedModel, LedgerModel):
        stages = Stages([
            ("applied", "申请", "applied_on"),
            ("appraised", "鉴定", "appraised_on"),
            ...
        ])

The stage an entity is in on a day follows from its dates: the last stage whose date is on
or before that day. So counts by stage as of any date are plain SQL (``Q(<date>__lte=day)``)
and no separate status column can drift from the dates.

Rules (checked in :meth:`StagedModel.clean`, so forms, API and Excel import all apply them):
- no skipping: a stage may be dated only when every earlier stage is dated;
- in order: a stage's date is not earlier than the previous stage's date;
- no going back silently: clearing a stage that was recorded (moving the entity back)
  requires a new ``stage_change_reason``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q

if TYPE_CHECKING:
    from zhujian.figures.catalog import Aggregate
    from zhujian.figures.periods import Period

REASON_FIELD = "stage_change_reason"


@dataclass(frozen=True)
class Stage:
    code: str
    label: str
    field: str
    index: int


def _day(when: dt.date | Period) -> dt.date:
    return when if isinstance(when, dt.date) else when.end


class Stages:
    """The ordered stages of a model, each reached on the date held in one field."""

    def __init__(self, stages: Sequence[tuple[str, str, str]]) -> None:
        if not stages:
            raise ValueError("a Stages declaration needs at least one stage")
        self.stages = [Stage(code, label, f, i) for i, (code, label, f) in enumerate(stages)]
        self._by_code = {s.code: s for s in self.stages}
        if len(self._by_code) != len(self.stages):
            raise ValueError("stage codes must be unique")

    def __iter__(self) -> Any:
        return iter(self.stages)

    def __len__(self) -> int:
        return len(self.stages)

    def get(self, code: str) -> Stage:
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"unknown stage {code!r}; known: {', '.join(self._by_code)}") from None

    @property
    def fields(self) -> list[str]:
        return [s.field for s in self.stages]

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(s.code, s.label) for s in self.stages]

    def next(self, code: str) -> Stage | None:
        i = self.get(code).index + 1
        return self.stages[i] if i < len(self.stages) else None

    # --- one entity ---------------------------------------------------------------

    def dates(self, obj: Any) -> list[dt.date | None]:
        return [getattr(obj, s.field) for s in self.stages]

    def current(self, obj: Any) -> Stage | None:
        """The furthest stage ``obj`` has a date for (None: not started)."""
        reached = [s for s in self.stages if getattr(obj, s.field) is not None]
        return reached[-1] if reached else None

    def on(self, obj: Any, when: dt.date | Period) -> Stage | None:
        """The stage ``obj`` was in on a day (the end of a period)."""
        day = _day(when)
        found = None
        for s in self.stages:
            value = getattr(obj, s.field)
            if value is None or value > day:
                break
            found = s
        return found

    def errors(self, obj: Any, before: Sequence[dt.date | None] | None = None) -> dict[str, str]:
        """Rule violations of ``obj``'s dates, keyed by field, in Chinese.

        ``before`` is the stage dates as stored before this change (None for a new record).
        """
        errors: dict[str, str] = {}
        previous: Stage | None = None
        prev_date: dt.date | None = None
        for s in self.stages:
            value = getattr(obj, s.field)
            if value is not None:
                if previous is not None and prev_date is None:
                    errors[s.field] = f"不能跳过“{previous.label}”：请先填写“{previous.label}”日期"
                elif prev_date is not None and value < prev_date:
                    errors[s.field] = (
                        f"“{s.label}”日期不能早于“{previous.label}”日期（{prev_date}）"
                    )
            previous, prev_date = s, value
        if before is not None and REASON_FIELD not in errors:
            was = _furthest(before)
            now = _furthest(self.dates(obj))
            if now < was:
                reason = (getattr(obj, REASON_FIELD, "") or "").strip()
                old_reason = (getattr(obj, "_stage_reason_loaded", "") or "").strip()
                if not reason or reason == old_reason:
                    back_to = self.stages[now].label if now >= 0 else "未开始"
                    errors[REASON_FIELD] = (
                        f"从“{self.stages[was].label}”退回到“{back_to}”，必须填写本次退回的原因"
                    )
        return errors

    # --- many entities, in SQL -------------------------------------------------------

    def reached(self, code: str, when: dt.date | Period) -> Q:
        """Entities that had reached stage ``code`` by the day (or the period's end)."""
        return Q(**{f"{self.get(code).field}__lte": _day(when)})

    def at(self, code: str, when: dt.date | Period) -> Q:
        """Entities in stage ``code`` on the day: reached it, not yet the next one."""
        q = self.reached(code, when)
        nxt = self.next(code)
        if nxt is not None:
            q &= Q(**{f"{nxt.field}__isnull": True}) | Q(**{f"{nxt.field}__gt": _day(when)})
        return q

    def not_started(self, when: dt.date | Period) -> Q:
        first = self.stages[0].field
        return Q(**{f"{first}__isnull": True}) | Q(**{f"{first}__gt": _day(when)})

    def counts(self, queryset: models.QuerySet, when: dt.date | Period) -> dict[str, int]:
        """How many entities of ``queryset`` are in each stage on the day (one query);
        the key ``""`` counts those not started."""
        aggregates = {s.code: Count("pk", filter=self.at(s.code, when)) for s in self.stages}
        aggregates["_none"] = Count("pk", filter=self.not_started(when))
        row = queryset.aggregate(**aggregates)
        out = {s.code: row[s.code] for s in self.stages}
        out[""] = row["_none"]
        return out

    def reached_figure(
        self,
        id: str,
        label: str,
        model: type[models.Model],
        code: str,
        where: Q | Callable[[Period], Q] | None = None,
        **kw: Any,
    ) -> Aggregate:
        """A count figure: entities that reached stage ``code`` by the period's end."""
        from zhujian.figures.catalog import count

        return count(id, label, model, date=self.get(code).field, mode="asof", where=where, **kw)

    def at_figure(
        self,
        id: str,
        label: str,
        model: type[models.Model],
        code: str,
        where: Q | Callable[[Period], Q] | None = None,
        **kw: Any,
    ) -> Aggregate:
        """A count figure: entities in stage ``code`` at the period's end."""
        from zhujian.figures.catalog import count

        def cond(period: Period) -> Q:
            q = self.at(code, period)
            extra = where(period) if callable(where) else where
            return q & extra if extra is not None else q

        return count(id, label, model, where=cond, mode="all", **kw)


def _furthest(dates: Iterable[dt.date | None]) -> int:
    """Index of the last dated stage (-1: none)."""
    last = -1
    for i, value in enumerate(dates):
        if value is not None:
            last = i
    return last


class StagedModel(models.Model):
    """Mixin for a model with ``stages``: the reason field, the rules, the current stage.

    Put it before ``LedgerModel`` in the bases and call ``super().clean()`` from ``clean``.
    """

    stages: ClassVar[Stages]

    stage_change_reason = models.CharField(
        "阶段退回原因",
        max_length=200,
        blank=True,
        help_text="撤销已填写的阶段日期（退回到前一阶段）时必须填写原因",
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        self._stage_dates_loaded = type(self).stages.dates(self)
        self._stage_reason_loaded = getattr(self, REASON_FIELD, "")

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, **kwargs: Any) -> Any:
        obj = super().from_db(db, field_names, values, **kwargs)
        loaded = obj.__dict__
        if all(f in loaded for f in cls.stages.fields):  # not when stage fields are deferred
            obj._stage_dates_loaded = [loaded[f] for f in cls.stages.fields]
            obj._stage_reason_loaded = loaded.get(REASON_FIELD, "")
        return obj

    def stage_errors(self) -> dict[str, str]:
        """The stage rules' violations, for a subclass's ``clean`` to merge with its own."""
        before = getattr(self, "_stage_dates_loaded", None) if self.pk else None
        return type(self).stages.errors(self, before)

    def clean(self) -> None:
        super().clean()
        errors = self.stage_errors()
        if errors:
            raise ValidationError(errors)

    @property
    def stage(self) -> Stage | None:
        return type(self).stages.current(self)

    @property
    def stage_label(self) -> str:
        current = self.stage
        return current.label if current else "未开始"
