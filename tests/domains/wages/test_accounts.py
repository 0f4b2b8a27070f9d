"""A project's wage set-up: the compliance checklist and closing the special account."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.domains.construction.helpers import messages
from tests.domains.wages.helpers import project_in, setup_for, worker_on
from zhujian.domains.wages import arrears
from zhujian.domains.wages.models import Attendance, ProjectWageSetup, WageCase
from zhujian.domains.wages.models.closing import outstanding

pytestmark = pytest.mark.django_db


def test_the_checklist_names_what_is_missing(township):
    setup = setup_for(project_in(township), officer="", notice_board=False)
    assert not setup.compliant
    assert setup.gaps == "劳资专管员、维权信息告示牌"
    setup.officer, setup.notice_board = "李专管", True
    setup.save()
    assert setup.compliant and setup.gaps == ""


def test_an_account_without_deposit_or_guarantee_is_a_gap(township):
    setup = setup_for(project_in(township), guarantee_kind="", guarantee_amount=0)
    assert "工资保证金或银行保函" in setup.gaps
    setup.guarantee_kind = "bank"
    assert messages(setup)["guarantee_amount"] == ["缴存工资保证金或提交银行保函的，须填写金额"]


def test_demo_has_projects_with_and_without_gaps():
    assert ProjectWageSetup.objects.filter(compliant=True).exists()
    assert ProjectWageSetup.objects.filter(compliant=False).exists()


def _completed(township, **kw):
    project = project_in(township)
    project.completed_on = dt.date(2022, 8, 1)
    project.save()
    return setup_for(project, **kw)


def test_closing_needs_completion(township):
    setup = setup_for(project_in(township), closing_notice_on=dt.date(2022, 8, 1))
    setup.closed_on = dt.date(2022, 9, 15)
    assert "项目尚未竣工验收" in messages(setup)["closed_on"][0]


def test_closing_needs_a_30_day_public_notice(township):
    setup = _completed(township)
    setup.closed_on = dt.date(2022, 9, 15)
    assert "未进行30日公示" in messages(setup)["closed_on"][0]
    setup.closing_notice_on = dt.date(2022, 8, 20)
    assert "公示期未满30日" in messages(setup)["closed_on"][0]
    setup.closing_notice_on = dt.date(2022, 8, 16)
    setup.full_clean()  # 30 days: allowed


def test_closing_needs_no_arrears(township):
    setup = _completed(township, closing_notice_on=dt.date(2022, 8, 5))
    setup.closed_on = dt.date(2022, 9, 20)
    worker = worker_on(setup.project)
    Attendance.objects.create(worker=worker, day=dt.date(2022, 5, 9))
    assert "1名工人有考勤月份未从专用账户足额发放工资" in messages(setup)["closed_on"][0]
    Attendance.objects.all().filter(worker=worker).delete()
    WageCase.objects.create(
        number="QX-T-1",
        source="shoufa",
        received_on=dt.date(2022, 8, 1),
        project=setup.project,
        complainant="张三",
        workers=1,
        amount_claimed=1000,
    )
    assert "1件欠薪案件未办结" in messages(setup)["closed_on"][0]


def test_an_open_arrears_warning_blocks_closing(township):
    setup = _completed(township, closing_notice_on=dt.date(2022, 8, 5))
    worker = worker_on(setup.project)
    Attendance.objects.create(worker=worker, day=dt.date(2022, 5, 9))
    arrears.check(dt.date(2022, 5, 1), dt.date(2022, 7, 1))
    assert "1条欠薪预警未销号" in outstanding(setup.project)


def test_closing_is_refused_while_a_worker_was_paid_less_than_the_pay_sheet(township):
    from decimal import Decimal

    from tests.domains.wages.helpers import line_for, pay, sheet_for

    setup = _completed(township, closing_notice_on=dt.date(2022, 8, 5))
    setup.closed_on = dt.date(2022, 9, 20)
    worker = worker_on(setup.project)
    Attendance.objects.create(worker=worker, day=dt.date(2022, 5, 9))
    sheet = sheet_for(setup.project)
    line_for(sheet, worker)  # net 5,000
    pay(sheet, worker, dt.date(2022, 6, 10), amount=Decimal(4000))
    assert "1名工人有考勤月份未从专用账户足额发放工资" in messages(setup)["closed_on"][0]
    pay(sheet, worker, dt.date(2022, 6, 12), amount=Decimal(1000))
    setup.clean()  # paid in full: nothing stands in the way
