"""Deadlines: counting days the way the law counts them, and overdue / due-soon querysets.

Plan commitments and petition cases (and, later, any task with a statutory clock) share
this module, so "when is it due" and "which records are overdue on day D" are answered
once.

Day counting (民法典 第二百零一条、第二百零三条, which every 日-denominated deadline of an
administrative rule follows unless the rule says otherwise):

- the day of the event is not counted: "within 15 days of receipt" on 3 May ends on 18 May;
- when the last day is not a working day (a weekend or a public holiday), the period ends
  on the next working day (``roll_forward``; the setting ``ZHUJIAN_DEADLINE_ROLL_FORWARD``
  turns this off);
- a period in working days (工作日, e.g. the 5 working days to transfer a petition) counts
  only working days after the event day.

Working days follow the State Council's yearly holiday notice: weekends and listed
holidays are off, listed adjusted working days (调休上班, usually a Saturday or Sunday) are
on. The defaults below list 2021–2025; a county adds later years (or corrections) with
``ZHUJIAN_HOLIDAYS`` and ``ZHUJIAN_ADJUSTED_WORKDAYS`` (lists of ``YYYY-MM-DD`` or
``YYYY-MM-DD..YYYY-MM-DD``), which are added to the defaults. Years the calendar does not
list count weekends only.

A record's clock is a :class:`Clock`: the field holding its due date and the field
holding the date it was met. A :class:`Deadlines` declaration groups a ledger's clocks and
gives the SQL conditions for "overdue on day D" and "due within N days of day D".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.models import Q

ONE_DAY = dt.timedelta(days=1)

# 国务院办公厅关于部分节假日安排的通知, 2021–2025: days off (besides weekends) …
DEFAULT_HOLIDAYS: tuple[str, ...] = (
    # 2021
    "2021-01-01..2021-01-03",
    "2021-02-11..2021-02-17",
    "2021-04-03..2021-04-05",
    "2021-05-01..2021-05-05",
    "2021-06-12..2021-06-14",
    "2021-09-19..2021-09-21",
    "2021-10-01..2021-10-07",
    # 2022
    "2022-01-01..2022-01-03",
    "2022-01-31..2022-02-06",
    "2022-04-03..2022-04-05",
    "2022-04-30..2022-05-04",
    "2022-06-03..2022-06-05",
    "2022-09-10..2022-09-12",
    "2022-10-01..2022-10-07",
    # 2023
    "2022-12-31..2023-01-02",
    "2023-01-21..2023-01-27",
    "2023-04-05",
    "2023-04-29..2023-05-03",
    "2023-06-22..2023-06-24",
    "2023-09-29..2023-10-06",
    # 2024
    "2024-01-01",
    "2024-02-10..2024-02-17",
    "2024-04-04..2024-04-06",
    "2024-05-01..2024-05-05",
    "2024-06-10",
    "2024-09-15..2024-09-17",
    "2024-10-01..2024-10-07",
    # 2025
    "2025-01-01",
    "2025-01-28..2025-02-04",
    "2025-04-04..2025-04-06",
    "2025-05-01..2025-05-05",
    "2025-05-31..2025-06-02",
    "2025-10-01..2025-10-08",
)
# … and weekend days that are working days (调休上班).
DEFAULT_ADJUSTED_WORKDAYS: tuple[str, ...] = (
    "2021-02-07",
    "2021-02-20",
    "2021-04-25",
    "2021-05-08",
    "2021-09-18",
    "2021-09-26",
    "2021-10-09",
    "2022-01-29",
    "2022-01-30",
    "2022-04-02",
    "2022-04-24",
    "2022-05-07",
    "2022-10-08",
    "2022-10-09",
    "2023-01-28",
    "2023-01-29",
    "2023-04-23",
    "2023-05-06",
    "2023-06-25",
    "2023-10-07",
    "2023-10-08",
    "2024-02-04",
    "2024-02-18",
    "2024-04-07",
    "2024-04-28",
    "2024-05-11",
    "2024-09-14",
    "2024-09-29",
    "2024-10-12",
    "2025-01-26",
    "2025-02-08",
    "2025-04-27",
    "2025-09-28",
    "2025-10-11",
)


def _days(specs: Iterable[str]) -> frozenset[dt.date]:
    out: set[dt.date] = set()
    for spec in specs:
        first, _, last = str(spec).strip().partition("..")
        start = dt.date.fromisoformat(first)
        end = dt.date.fromisoformat(last) if last else start
        if end < start:
            raise ValueError(f"holiday range ends before it starts: {spec}")
        day = start
        while day <= end:
            out.add(day)
            day += ONE_DAY
    return frozenset(out)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days: Monday–Friday, minus holidays, plus adjusted workdays."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def next_workday(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += ONE_DAY
        return day

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``start`` (``start`` itself is not counted)."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        while n:
            day += ONE_DAY
            if self.is_workday(day):
                n -= 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            count += self.is_workday(day)
        return count


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


@lru_cache(maxsize=8)
def _calendar(holidays: tuple[str, ...], workdays: tuple[str, ...]) -> WorkCalendar:
    return WorkCalendar(_days(holidays), _days(workdays))


def calendar() -> WorkCalendar:
    """The calendar from the defaults plus ``ZHUJIAN_HOLIDAYS`` / ``ZHUJIAN_ADJUSTED_WORKDAYS``."""
    holidays = (*DEFAULT_HOLIDAYS, *_setting("ZHUJIAN_HOLIDAYS", ()))
    workdays = (*DEFAULT_ADJUSTED_WORKDAYS, *_setting("ZHUJIAN_ADJUSTED_WORKDAYS", ()))
    return _calendar(tuple(holidays), tuple(workdays))


def due_after(start: dt.date, days: int, *, workdays: bool = False) -> dt.date:
    """The last day of a period of ``days`` days (or working days) starting after ``start``.

    Calendar days: ``start + days``, moved to the next working day when it is not one
    (unless ``ZHUJIAN_DEADLINE_ROLL_FORWARD`` is off). Working days: the ``days``-th
    working day after ``start``.
    """
    cal = calendar()
    if workdays:
        return cal.add_workdays(start, days)
    last = start + dt.timedelta(days=days)
    if _setting("ZHUJIAN_DEADLINE_ROLL_FORWARD", True):
        last = cal.next_workday(last)
    return last


# --- clocks on records ------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """One deadline of a record: the date it is due (``due``) and the date it was met
    (``done``; empty while open). Both are model field names."""

    due: str
    done: str
    label: str

    def open_on(self, as_of: dt.date) -> Q:
        """Has a due date and was not met by ``as_of``."""
        return Q(**{f"{self.due}__isnull": False}) & (
            Q(**{f"{self.done}__isnull": True}) | Q(**{f"{self.done}__gt": as_of})
        )

    def overdue_on(self, as_of: dt.date) -> Q:
        """Due before ``as_of`` and not met by then."""
        return Q(**{f"{self.due}__lt": as_of}) & self.open_on(as_of)

    def due_within(self, as_of: dt.date, days: int) -> Q:
        """Not met by ``as_of`` and due on ``as_of`` or within ``days`` days after it."""
        return Q(
            **{f"{self.due}__gte": as_of, f"{self.due}__lte": as_of + dt.timedelta(days=days)}
        ) & self.open_on(as_of)

    def state(self, obj: Any, as_of: dt.date) -> ClockState | None:
        """This clock on one record on ``as_of`` (None when it has no due date or was met)."""
        due, done = getattr(obj, self.due), getattr(obj, self.done)
        if due is None or (done is not None and done <= as_of):
            return None
        return ClockState(self, due, (due - as_of).days)


@dataclass(frozen=True)
class ClockState:
    clock: Clock
    due: dt.date
    days_left: int  # negative: days overdue

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def text(self) -> str:
        if self.days_left < 0:
            return f"{self.clock.label}已逾期 {-self.days_left} 天"
        if self.days_left == 0:
            return f"{self.clock.label}今日到期"
        return f"{self.clock.label}还剩 {self.days_left} 天"


@dataclass(frozen=True)
class Deadlines:
    """A ledger's clocks. ``active`` narrows the records that have running clocks at all
    (e.g. not cancelled); ``soon_days`` is how far ahead "due soon" looks."""

    clocks: Sequence[Clock]
    soon_days: int | Callable[[], int] = 7  # a callable reads a setting when asked
    active: Q | None = None
    label: str = "办理期限"
    dashboard: bool = False  # show the overdue / due-soon summary on the leaders' dashboard

    def _active(self) -> Q:
        return self.active if self.active is not None else Q()

    def overdue_q(self, as_of: dt.date) -> Q:
        """Records with at least one clock past due and not met on ``as_of``."""
        q = Q()
        for clock in self.clocks:
            q |= clock.overdue_on(as_of)
        return self._active() & q

    def due_soon_q(self, as_of: dt.date, days: int | None = None) -> Q:
        """Records not overdue with a clock due within ``days`` (default ``soon_days``)."""
        if days is None:
            days = self.soon_days() if callable(self.soon_days) else self.soon_days
        q = Q()
        for clock in self.clocks:
            q |= clock.due_within(as_of, days)
        return self._active() & q & ~self.overdue_q(as_of)

    def states(self, obj: Any, as_of: dt.date) -> list[ClockState]:
        """The running clocks of one record on ``as_of``, most urgent first."""
        found = [s for c in self.clocks if (s := c.state(obj, as_of)) is not None]
        return sorted(found, key=lambda s: s.days_left)

    def most_urgent(self, obj: Any, as_of: dt.date) -> ClockState | None:
        states = self.states(obj, as_of)
        return states[0] if states else None
