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

Working days follow the State Council's yearly holiday notice (国务院办公厅关于部分节假日
安排的通知): weekends and listed holidays are off, listed adjusted working days (调休上班,
usually a Saturday or Sunday) are on. The notices come from the ``chinesecalendar``
library (``chinese_calendar``; each release adds the year just published). When the State
Council publishes a year before the library does, staff enter it on the 参数设置 page
(:class:`~zhujian.core.models.CalendarYear`, with history); a year entered there replaces
the library's data for that year. ``ZHUJIAN_HOLIDAYS`` and ``ZHUJIAN_ADJUSTED_WORKDAYS``
(lists of ``YYYY-MM-DD`` or ``YYYY-MM-DD..YYYY-MM-DD``) add single corrections on top.
A year known to neither counts weekends only: :func:`missing_years` names the current or
next year when so, and the health check and the dashboard warn.

A record's clock is a :class:`Clock`: the field holding its due date and the field
holding the date it was met. A :class:`Deadlines` declaration groups a ledger's clocks and
gives the SQL conditions for "overdue on day D" and "due within N days of day D".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from zhujian.core.cached import StampedCache, before_migrations

ONE_DAY = dt.timedelta(days=1)


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
    years: frozenset[int] = frozenset()  # years whose holiday notice is known

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


# --- where the calendar comes from --------------------------------------------------------


def library_years() -> frozenset[int]:
    """The years the holiday library lists (every year from its first to its last)."""
    import chinese_calendar

    years = {day.year for day in chinese_calendar.holidays}
    return frozenset(range(min(years), max(years) + 1))


def _library_days() -> tuple[dict[int, set[dt.date]], dict[int, set[dt.date]]]:
    import chinese_calendar

    holidays: dict[int, set[dt.date]] = {}
    workdays: dict[int, set[dt.date]] = {}
    for day in chinese_calendar.holidays:
        holidays.setdefault(day.year, set()).add(day)
    for day in chinese_calendar.workdays:
        workdays.setdefault(day.year, set()).add(day)
    return holidays, workdays


class CalendarTextError(ValueError):
    """A line of a year's holiday text that cannot be read (the message is Chinese)."""


def parse_days(
    text: str, year: int, *, what: str, weekend_only: bool = False
) -> frozenset[dt.date]:
    """The days of a staff-entered list: one ``YYYY-MM-DD`` or ``YYYY-MM-DD..YYYY-MM-DD``
    per line (commas and 、 also separate). Each entry must touch ``year``; adjusted
    working days (``weekend_only``) must be Saturdays or Sundays."""
    out: set[dt.date] = set()
    entries = [e.strip() for line in text.splitlines() for e in line.replace("、", ",").split(",")]
    for number, spec in enumerate((e for e in entries if e), start=1):
        first, _, last = spec.replace("至", "..").replace("～", "..").partition("..")
        try:
            start = dt.date.fromisoformat(first.strip())
            end = dt.date.fromisoformat(last.strip()) if last else start
        except ValueError:
            raise CalendarTextError(
                f"{what}第 {number} 项“{spec}”不是日期，应写成 {year}-10-01 或 "
                f"{year}-10-01..{year}-10-07"
            ) from None
        if end < start:
            raise CalendarTextError(f"{what}第 {number} 项“{spec}”的结束日期早于开始日期")
        if year not in (start.year, end.year) or (end - start).days > 31:
            raise CalendarTextError(
                f"{what}第 {number} 项“{spec}”不在 {year} 年内（一段最长 31 天，可跨年初或年末）"
            )
        day = start
        while day <= end:
            if weekend_only and day.weekday() < 5:
                raise CalendarTextError(
                    f"{what}第 {number} 项：{day.isoformat()} 是工作日（星期{'一二三四五'[day.weekday()]}），"
                    "调休上班日应是星期六或星期日"
                )
            out.add(day)
            day += ONE_DAY
    return frozenset(out)


def _stored_years() -> dict[int, tuple[frozenset[dt.date], frozenset[dt.date]]]:
    from zhujian.core.models import CalendarYear

    out = {}
    rows = before_migrations(lambda: list(CalendarYear.objects.all()), [])()
    for row in rows:
        out[row.year] = (
            parse_days(row.holidays, row.year, what="放假日期"),
            parse_days(row.workdays, row.year, what="调休上班日期", weekend_only=True),
        )
    return out


def _build_base() -> WorkCalendar:
    holidays, workdays = _library_days()
    years = set(library_years())
    for year, (off, on) in _stored_years().items():
        holidays[year] = set(off)  # the year as staff entered it replaces the library's
        workdays[year] = set(on)
        years.add(year)
    return WorkCalendar(
        frozenset().union(*holidays.values()),
        frozenset().union(*workdays.values()),
        frozenset(years),
    )


def _calendar_stamp() -> Any:
    from django.db.models import Max

    from zhujian.core.models import CalendarYear

    return CalendarYear.history.aggregate(Max("history_id"))["history_id__max"]


_base = StampedCache(_build_base, before_migrations(_calendar_stamp, None))
_extras_memo: dict[tuple[int, tuple[str, ...], tuple[str, ...]], WorkCalendar] = {}


def calendar() -> WorkCalendar:
    """The calendar in force: the library's years, the years staff entered (those win),
    plus ``ZHUJIAN_HOLIDAYS`` / ``ZHUJIAN_ADJUSTED_WORKDAYS``. Cached per process and
    rebuilt when a year is entered or changed (see :mod:`zhujian.core.cached`)."""
    base = _base.get()
    extra_off = tuple(_setting("ZHUJIAN_HOLIDAYS", ()))
    extra_on = tuple(_setting("ZHUJIAN_ADJUSTED_WORKDAYS", ()))
    if not extra_off and not extra_on:
        return base
    key = (id(base), extra_off, extra_on)
    found = _extras_memo.get(key)
    if found is None:
        _extras_memo.clear()
        found = WorkCalendar(
            base.holidays | _days(extra_off), base.workdays | _days(extra_on), base.years
        )
        _extras_memo[key] = found
    return found


def invalidate_calendar() -> None:
    """Forget the cached calendar (a year was entered or changed in this process)."""
    _base.invalidate()
    _extras_memo.clear()


def missing_years(today: dt.date | None = None) -> list[int]:
    """The current and next year when the calendar does not list their holidays."""
    today = today or timezone.localdate()
    known = calendar().years
    return [y for y in (today.year, today.year + 1) if y not in known]


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
    # Who must meet the clocks: an actor rule of ``core.workflows`` (RecordUnit,
    # LineDepartment …; typed loosely, core.workflows reads this module's callers).
    # Default: the department that owns the ledger's line.
    owner: Any = None

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
