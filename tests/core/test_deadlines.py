"""Day counting and the overdue / due-soon conditions shared by tasks with deadlines."""

from __future__ import annotations

import datetime as dt

import pytest

from zhujian.core import deadlines
from zhujian.core.deadlines import Clock, Deadlines, WorkCalendar, due_after

D = dt.date

# The calendar reads the years staff entered from the database.
pytestmark = pytest.mark.django_db


def test_the_event_day_is_not_counted():
    # received on Tuesday 2022-03-01: 15 days end on Wednesday 2022-03-16
    assert due_after(D(2022, 3, 1), 15) == D(2022, 3, 16)


def test_a_last_day_on_a_weekend_moves_to_monday():
    # 2022-03-05 + 15 = Sunday 2022-03-20 → Monday 2022-03-21
    assert due_after(D(2022, 3, 5), 15) == D(2022, 3, 21)


def test_a_last_day_in_a_holiday_moves_past_the_holiday():
    # 2022-09-16 + 15 = 2022-10-01 (国庆 1–7 Oct, then the adjusted workday Sat 8 Oct)
    assert due_after(D(2022, 9, 16), 15) == D(2022, 10, 8)


def test_rolling_forward_can_be_switched_off(settings):
    settings.ZHUJIAN_DEADLINE_ROLL_FORWARD = False
    assert due_after(D(2022, 3, 5), 15) == D(2022, 3, 20)


def test_working_days_skip_weekends():
    # Thursday 2022-03-03 + 5 working days: Fri 4, Mon 7, Tue 8, Wed 9, Thu 10
    assert due_after(D(2022, 3, 3), 5, workdays=True) == D(2022, 3, 10)


def test_working_days_skip_the_spring_festival_and_count_its_adjusted_saturday():
    # Friday 2022-01-28: Sat 29 and Sun 30 Jan are 调休 workdays, 31 Jan–6 Feb are off
    assert due_after(D(2022, 1, 28), 3, workdays=True) == D(2022, 2, 7)


def test_extra_holidays_come_from_settings(settings):
    settings.ZHUJIAN_HOLIDAYS = ["2030-03-04..2030-03-05"]
    # Friday 2030-03-01 + 2 working days: Mon 4 and Tue 5 are now holidays
    assert due_after(D(2030, 3, 1), 2, workdays=True) == D(2030, 3, 7)


def test_adjusted_workdays_come_from_settings(settings):
    settings.ZHUJIAN_ADJUSTED_WORKDAYS = ["2030-03-02"]  # a Saturday
    assert deadlines.calendar().is_workday(D(2030, 3, 2))


def test_workdays_between_counts_after_the_start():
    cal = WorkCalendar()
    assert cal.workdays_between(D(2022, 3, 4), D(2022, 3, 8)) == 2  # Mon 7, Tue 8


def test_a_reversed_holiday_range_is_refused():
    with pytest.raises(ValueError):
        WorkCalendar(deadlines._days(["2022-05-05..2022-05-01"]))


CLOCK = Clock("due", "done", "办理")


class Row:
    def __init__(self, due, done=None):
        self.due, self.done = due, done


def test_clock_state_counts_days_left_and_overdue():
    state = CLOCK.state(Row(D(2022, 6, 10)), D(2022, 6, 13))
    assert state.days_left == -3 and state.overdue and "逾期 3 天" in state.text


def test_a_clock_met_by_the_day_has_no_state():
    assert CLOCK.state(Row(D(2022, 6, 10), D(2022, 6, 9)), D(2022, 6, 13)) is None


def test_a_clock_met_after_the_day_was_still_running_then():
    assert CLOCK.state(Row(D(2022, 6, 10), D(2022, 6, 20)), D(2022, 6, 13)).overdue


@pytest.mark.django_db
def test_overdue_and_due_soon_conditions_in_sql():
    from zhujian.domains.plans.models import PlanTask

    tasks = PlanTask.objects.all()
    as_of = D(2022, 10, 15)
    clocks = Deadlines([Clock("deadline", "completed_on", "完成期限")], soon_days=30)
    overdue = set(tasks.filter(clocks.overdue_q(as_of)).values_list("pk", flat=True))
    soon = set(tasks.filter(clocks.due_soon_q(as_of)).values_list("pk", flat=True))
    for task in tasks:
        open_then = task.completed_on is None or task.completed_on > as_of
        assert (task.pk in overdue) == (task.deadline < as_of and open_then)
        in_window = as_of <= task.deadline <= as_of + dt.timedelta(days=30)
        assert (task.pk in soon) == (in_window and open_then)
