"""The statutory holiday calendar: the library's years, years staff enter on the 参数设置
page, and the warnings when the current or next year is missing (issue 20)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import login
from zhujian.core import deadlines
from zhujian.core.cached import StampedCache
from zhujian.core.deadlines import due_after
from zhujian.core.models import CalendarYear
from zhujian.ops import health

D = dt.date
pytestmark = pytest.mark.django_db

# 2027 as staff would type it from the State Council's notice. The library (1.11) stops at
# 2026; these dates are the test's own, chosen so that each assertion below differs from
# a weekends-only count.
YEAR_2027 = {
    "year": "2027",
    "notice": "国务院办公厅关于2027年部分节假日安排的通知",
    "holidays": "2027-01-01\n2027-02-06..2027-02-13\n2027-10-01..2027-10-07",
    "workdays": "2027-02-14\n2027-09-26、2027-10-09",
    "reason": "国务院已公布，节假日库尚未收录",
}


# --- 2026 from the library ------------------------------------------------------------------


def test_a_deadline_in_the_2026_spring_festival_moves_past_it():
    # 2026-02-10 + 5 = Sunday 15 Feb, in the Spring Festival holiday (15–23 Feb)
    assert due_after(D(2026, 2, 10), 5) == D(2026, 2, 24)


def test_working_days_count_the_2026_adjusted_saturday_before_the_spring_festival():
    # Thu 12 Feb + 5 working days: Fri 13, Sat 14 (调休上班), then 24, 25, 26 Feb
    assert due_after(D(2026, 2, 12), 2, workdays=True) == D(2026, 2, 14)
    assert due_after(D(2026, 2, 12), 5, workdays=True) == D(2026, 2, 26)


def test_the_2026_saturday_after_the_spring_festival_is_a_working_day():
    assert deadlines.calendar().is_workday(D(2026, 2, 28))


def test_a_deadline_in_the_2026_national_day_holiday_moves_past_it():
    # 2026-09-16 + 15 = 1 Oct; 国庆 1–7 Oct; Thursday 8 Oct is a working day
    assert due_after(D(2026, 9, 16), 15) == D(2026, 10, 8)
    # Mid-Autumn (25–27 Sep): a last day on Sunday 27 Sep moves to Monday 28 Sep
    assert due_after(D(2026, 9, 12), 15) == D(2026, 9, 28)


def test_the_2026_national_day_adjusted_sunday_and_saturday_are_working_days():
    cal = deadlines.calendar()
    assert cal.is_workday(D(2026, 9, 20)) and cal.is_workday(D(2026, 10, 10))
    # Fri 18 Sep + 1 working day is Sunday 20 Sep (调休上班)
    assert due_after(D(2026, 9, 18), 1, workdays=True) == D(2026, 9, 20)


def test_the_library_agrees_with_the_former_built_in_table_for_2022():
    cal = deadlines.calendar()
    assert not cal.is_workday(D(2022, 10, 7)) and cal.is_workday(D(2022, 10, 8))
    assert cal.is_workday(D(2022, 1, 29)) and not cal.is_workday(D(2022, 1, 31))


# --- a year entered on the 参数设置 page ------------------------------------------------------


def test_2027_is_missing_until_staff_enter_it(client, admin_user):
    assert deadlines.missing_years(D(2026, 12, 7)) == [2027]
    # weekends only: Friday 1 Oct 2027 counts as a working day
    assert due_after(D(2027, 9, 30), 1, workdays=True) == D(2027, 10, 1)

    response = login(client, admin_user).post("/params/calendar/new/", YEAR_2027)
    assert response.status_code == 302, response.content.decode()

    assert deadlines.missing_years(D(2026, 12, 7)) == []
    # 国庆 1–7 Oct 2027 off: Thu 30 Sep + 1 working day is Friday 8 Oct
    assert due_after(D(2027, 9, 30), 1, workdays=True) == D(2027, 10, 8)
    # a last day on Saturday 6 Feb 2027 rolls over the Spring Festival to Sunday 14 Feb,
    # a 调休 working day (weekends only it would have been Monday 8 Feb)
    assert due_after(D(2027, 1, 25), 12) == D(2027, 2, 14)
    assert deadlines.calendar().is_workday(D(2027, 9, 26))


def test_a_year_entered_on_the_page_replaces_the_librarys(client, admin_user):
    assert not deadlines.calendar().is_workday(D(2026, 10, 7))
    data = {**YEAR_2027, "year": "2026", "holidays": "2026-10-01..2026-10-06", "workdays": ""}
    response = login(client, admin_user).post("/params/calendar/new/", data)
    assert response.status_code == 302
    cal = deadlines.calendar()
    assert cal.is_workday(D(2026, 10, 7))  # the page's year, not the library's
    assert cal.is_workday(D(2026, 2, 16))  # the whole year is the page's: no Spring Festival
    row = CalendarYear.objects.get(year=2026)
    last = row.history.latest()
    assert last.history_user == admin_user and last.reason == data["reason"]


def test_editing_a_year_takes_effect_at_once(client, admin_user):
    login(client, admin_user).post("/params/calendar/new/", YEAR_2027)
    assert not deadlines.calendar().is_workday(D(2027, 10, 7))
    edited = {**YEAR_2027, "holidays": "2027-10-01..2027-10-06", "reason": "更正"}
    assert client.post("/params/calendar/2027/", edited).status_code == 302
    assert deadlines.calendar().is_workday(D(2027, 10, 7))
    assert CalendarYear.history.filter(year=2027).count() == 2


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("workdays", "2027-10-08", "2027-10-08 是工作日（星期五），调休上班日应是星期六或星期日"),
        ("holidays", "2027-13-01", "放假日期第 1 项“2027-13-01”不是日期"),
        ("holidays", "2027-01-01\n2028-05-01", "放假日期第 2 项“2028-05-01”不在 2027 年内"),
        ("holidays", "2027-10-07..2027-10-01", "结束日期早于开始日期"),
        ("year", "1800", "2000"),
    ],
)
def test_a_bad_year_is_refused_with_the_item_named(client, admin_user, field, value, message):
    response = login(client, admin_user).post("/params/calendar/new/", {**YEAR_2027, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CalendarYear.objects.exists()


def test_only_staff_with_the_permission_reach_the_calendar(client, user, admin_user):
    clerk = user("bangongshi")
    assert login(client, clerk).get("/params/").status_code == 403
    assert client.post("/params/calendar/new/", YEAR_2027).status_code == 403
    assert not CalendarYear.objects.exists()
    from django.contrib.auth.models import Permission
    from django.core.exceptions import ValidationError

    # 三员分立: the right to set parameters and holidays is the 系统管理员's, and a
    # business clerk cannot be given it.
    from django.db import transaction

    with pytest.raises(ValidationError, match="三员分立"), transaction.atomic():
        clerk.user_permissions.add(Permission.objects.get(codename="manage_parameters"))
    assert login(client, admin_user).get("/params/").status_code == 200
    assert client.post("/params/calendar/new/", YEAR_2027).status_code == 302


# --- warnings -------------------------------------------------------------------------------


def test_the_health_check_warns_when_next_year_is_missing(monkeypatch):
    monkeypatch.setattr(health.timezone, "localdate", lambda *a: D(2026, 12, 7))
    result = health.check_calendar()
    assert result["ok"] and result["missing_years"] == [2027]
    assert "2027年的法定节假日安排尚未录入" in result["warning"]


def test_the_health_check_fails_when_the_current_year_is_missing(client, monkeypatch):
    monkeypatch.setattr(health.timezone, "localdate", lambda *a: D(2028, 3, 1))
    monkeypatch.setattr(health, "CHECKS", {"calendar": health.check_calendar})
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["calendar"]["missing_years"] == [2028, 2029]


def test_the_health_check_passes_once_both_years_are_known(client, admin_user, monkeypatch):
    login(client, admin_user).post("/params/calendar/new/", YEAR_2027)
    monkeypatch.setattr(health.timezone, "localdate", lambda *a: D(2026, 12, 7))
    result = health.check_calendar()
    assert result == {"ok": True, "missing_years": []}


def test_the_dashboard_warns_when_a_year_is_missing(client, user, monkeypatch):
    monkeypatch.setattr(deadlines.timezone, "localdate", lambda *a: D(2026, 12, 7))
    page = login(client, user("leader")).get("/").content.decode()
    assert "2027年的法定节假日安排尚未录入系统" in page
    admin_page = login(client, user("admin")).get("/").content.decode()
    assert 'href="/params/calendar/2027/"' in admin_page


def test_the_dashboard_has_no_warning_when_both_years_are_known(client, admin_user, monkeypatch):
    monkeypatch.setattr(deadlines.timezone, "localdate", lambda *a: D(2026, 12, 7))
    login(client, admin_user).post("/params/calendar/new/", YEAR_2027)
    assert "法定节假日安排尚未录入" not in client.get("/").content.decode()


# --- the cache ----------------------------------------------------------------------------


def test_the_cache_rebuilds_only_when_the_stamp_moves():
    loads, stamp = [], [1]
    cache = StampedCache(lambda: loads.append(1) or len(loads), lambda: stamp[0], recheck_s=0)
    assert cache.get() == 1 and cache.get() == 1  # stamp unchanged: no rebuild
    stamp[0] = 2  # another process changed the rows
    assert cache.get() == 2
    cache.invalidate()
    assert cache.get() == 3


def test_the_cache_does_not_ask_the_database_within_the_recheck_interval():
    asked = []
    cache = StampedCache(lambda: "v", lambda: asked.append(1), recheck_s=3600)
    for _ in range(1000):
        cache.get()
    assert len(asked) == 1
