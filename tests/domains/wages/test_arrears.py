"""Arrears warnings: attendance in a month and no payment by pay day plus grace, one
hazard per project and month in the shared loop, opened and updated idempotently."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.domains.wages.helpers import (
    MAY,
    line_for,
    pay,
    project_in,
    setup_for,
    sheet_for,
    worker_on,
)
from zhujian.domains.wages import arrears
from zhujian.domains.wages.models import Attendance
from zhujian.hazards.models import Hazard

pytestmark = pytest.mark.django_db

JULY_1 = dt.date(2022, 7, 1)


def _site(township, **setup):
    project = project_in(township)
    setup_for(project, **setup)
    return project


def _attend(worker, *days):
    for d in days:
        Attendance.objects.create(worker=worker, day=dt.date(2022, 5, d))


def _warnings(project):
    return Hazard.objects.filter(
        source_id=project.pk, found_by=arrears.FOUND_BY, source=arrears.source_label(MAY)
    )


def test_the_pay_deadline_is_the_projects_pay_day_of_the_next_month(settings):
    settings.ZHUJIAN_WAGES_PAY_DAY = 15
    settings.ZHUJIAN_WAGES_GRACE_DAYS = 5
    assert arrears.warning_day(MAY) == dt.date(2022, 6, 21)
    assert arrears.warning_day(MAY, 31) == dt.date(2022, 7, 6)  # June has 30 days
    assert arrears.warning_day(dt.date(2022, 12, 1), 10) == dt.date(2023, 1, 16)


def test_a_worker_with_attendance_and_no_payment_is_in_arrears_after_the_grace(township):
    project = _site(township, pay_day=15)
    worker = worker_on(project)
    _attend(worker, 5, 6)
    assert not [r for r in arrears.unpaid(MAY, dt.date(2022, 6, 20)) if r.project_id == project.pk]
    rows = [r for r in arrears.unpaid(MAY, dt.date(2022, 6, 21)) if r.project_id == project.pk]
    assert [(r.worker_id, r.days, r.employer_id) for r in rows] == [
        (worker.pk, 2, project.contractor_id)
    ]


def test_a_paid_worker_is_not_in_arrears(township):
    project = _site(township)
    paid, unpaid = worker_on(project), worker_on(project)
    _attend(paid, 9)
    _attend(unpaid, 9)
    sheet = sheet_for(project)
    line_for(sheet, paid)
    pay(sheet, paid, dt.date(2022, 6, 25))

    def owed(as_of):
        return sorted(r.worker_id for r in arrears.unpaid(MAY, as_of) if r.project_id == project.pk)

    assert owed(JULY_1) == [unpaid.pk]
    # on the warning day the payment of 25 June had not been made yet
    assert owed(dt.date(2022, 6, 21)) == sorted([paid.pk, unpaid.pk])


def test_an_underpaid_worker_is_in_arrears_with_the_shortfall(township):
    project = _site(township)
    short, full = worker_on(project), worker_on(project)
    _attend(short, 9)
    _attend(full, 9)
    sheet = sheet_for(project)
    line_for(sheet, short)  # net 5,000
    line_for(sheet, full)
    pay(sheet, short, dt.date(2022, 6, 10), amount=Decimal("4200.00"))
    pay(sheet, full, dt.date(2022, 6, 10))
    rows = [r for r in arrears.unpaid(MAY, JULY_1) if r.project_id == project.pk]
    assert [(r.worker_id, r.short) for r in rows] == [(short.pk, Decimal("800.00"))]
    arrears.check(MAY, JULY_1)
    assert "少发800.00元" in _warnings(project).get().description


def test_the_check_is_one_aggregate_query_over_attendance(township):
    project = _site(township)
    for _ in range(5):
        _attend(worker_on(project), 3, 4, 5)
    arrears.unpaid(MAY, JULY_1)  # the parameters are read once, then kept per process
    with CaptureQueriesContext(connection) as queries:
        rows = arrears.unpaid(MAY, JULY_1)
    assert len([r for r in rows if r.project_id == project.pk]) == 5
    on_attendance = [q for q in queries if "wages_attendance" in q["sql"]]
    # + the projects' pay days, and the month's pay-sheet nets and payments, grouped by
    # worker (underpayment, not only no payment, is arrears)
    assert len(on_attendance) == 1 and len(queries) <= 4
    assert "GROUP BY" in on_attendance[0]["sql"].upper()


def test_one_hazard_per_project_and_month_opened_once(township):
    project = _site(township)
    first, second = worker_on(project), worker_on(project)
    _attend(first, 10)
    result = arrears.check(MAY, JULY_1)
    hazard = _warnings(project).get()
    assert hazard.code in result.opened
    assert (hazard.line, hazard.org_unit_id, hazard.status) == (
        "wages",
        project.org_unit_id,
        "found",
    )
    assert first.code in hazard.description and project.contractor.name in hazard.description
    assert hazard.source_record == project
    assert "应于2022年06月15日前支付" in hazard.description
    again = arrears.check(MAY, JULY_1 + dt.timedelta(days=3))  # a later day, same workers
    assert hazard.code not in again.opened + again.updated
    assert _warnings(project).count() == 1
    _attend(second, 11)  # another unpaid worker: the same hazard is updated
    updated = arrears.check(MAY, JULY_1)
    assert hazard.code in updated.updated and _warnings(project).count() == 1
    assert second.code in _warnings(project).get().description


def test_a_warning_closed_through_the_loop_is_not_reopened(township):
    project = _site(township)
    _attend(worker_on(project), 10)
    arrears.check(MAY, JULY_1)
    hazard = _warnings(project).get()
    hazard.notice_number, hazard.notice_issued_on = "ZG-1", dt.date(2022, 7, 2)
    hazard.notice_deadline = dt.date(2022, 7, 20)
    hazard.rectified_on, hazard.rectification_evidence = dt.date(2022, 7, 10), "已补发并提供回单"
    hazard.verified_on, hazard.verified_by = dt.date(2022, 7, 12), "赵科长"
    hazard.full_clean()
    hazard.save()
    result = arrears.check(MAY, dt.date(2022, 7, 15))
    assert result.closed_kept >= 1 and _warnings(project).count() == 1


def test_no_warning_before_the_pay_day_plus_grace(township, settings):
    settings.ZHUJIAN_WAGES_GRACE_DAYS = 5
    project = _site(township, pay_day=20)
    _attend(worker_on(project), 10)
    arrears.check(MAY, dt.date(2022, 6, 25))  # due 20 June + 5 days: not yet
    assert not _warnings(project).exists()
    arrears.check(MAY, dt.date(2022, 6, 26))
    assert _warnings(project).exists()


def test_the_command_runs_the_check(township, capsys):
    project = _site(township)
    _attend(worker_on(project), 10)
    call_command("wages", "check", "--month", "2022-05", "--as-of", "2022-07-01")
    out = capsys.readouterr().out
    assert "2022年05月欠薪预警" in out and _warnings(project).exists()


def test_without_a_month_the_command_checks_the_last_three_months(township, capsys):
    """What the daily timer runs: a month whose grace ended is warned about, the month
    of the check date is not looked at yet."""
    project = _site(township)
    _attend(worker_on(project), 10)  # May
    call_command("wages", "check", "--as-of", "2022-07-01")
    out = [line for line in capsys.readouterr().out.splitlines() if "欠薪预警" in line]
    assert [line[:8] for line in out] == ["2022年04月", "2022年05月", "2022年06月"]
    assert _warnings(project).count() == 1
    call_command("wages", "check", "--as-of", "2022-07-02")  # the next day changes nothing
    assert _warnings(project).count() == 1


def test_the_command_refuses_a_bad_month():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="月份“2022-13”无效"):
        call_command("wages", "check", "--month", "2022-13")


def test_the_demo_has_arrears_warnings_in_the_hazard_loop():
    warnings = Hazard.objects.filter(found_by=arrears.FOUND_BY, line="wages")
    assert warnings.exists()
    assert set(warnings.values_list("source_type__model", flat=True)) == {"constructionproject"}


def test_the_dashboard_shows_arrears_by_project_and_employer(client, user, township):
    from zhujian.domains.wages.panels import arrears_panel
    from zhujian.figures.periods import Period

    leader, h1 = user("leader"), Period.parse("2022H1")
    before = arrears_panel(h1, township, leader)
    project = _site(township)
    _attend(worker_on(project), 10)
    after = arrears_panel(h1, township, leader)
    assert after["month"] == MAY
    assert after["workers"] == before["workers"] + 1
    assert after["project_count"] == before["project_count"] + 1
    client.force_login(leader)
    body = client.get("/", {"period": "2022H1"}).content.decode()
    assert "农民工工资欠薪预警" in body and "2022年5月工资" in body
    assert "用工单位" in body and "有考勤未发放工资" in body
