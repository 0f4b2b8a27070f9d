"""Lifting machines: the lifecycle's order and the 30-day registration flag."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.domains.construction.helpers import H1, messages, value, within
from tests.domains.xlsx import write_rows
from zhujian.core.deadlines import due_after
from zhujian.core.registry import registry
from zhujian.domains.construction.models import CRANE_STAGES, LiftingMachine, registration_overdue
from zhujian.imports.engine import import_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def machine() -> LiftingMachine:
    return LiftingMachine.objects.filter(registered_on__isnull=False).order_by("pk").first()


def test_the_lifecycle_has_the_nine_stages_in_order():
    assert [s.label for s in CRANE_STAGES] == [
        "产权备案",
        "安装告知",
        "安装",
        "检验",
        "验收",
        "使用登记",
        "拆卸告知",
        "拆卸",
        "注销",
    ]


def test_installation_without_a_notice_is_refused(machine):
    machine.install_notice_on = None
    machine.stage_change_reason = "测试"
    assert "未办理安装告知的起重机械不得安装" in messages(machine)["installed_on"][0]


def test_removal_without_a_notice_is_refused(machine):
    machine.removal_notice_on = None
    machine.removed_on = machine.registered_on + dt.timedelta(days=100)
    assert "未办理拆卸告知的起重机械不得拆卸" in messages(machine)["removed_on"][0]


def test_a_stage_cannot_be_dated_before_the_previous_one(machine):
    machine.registered_on = machine.accepted_on - dt.timedelta(days=1)
    assert "不能早于“验收”日期" in messages(machine)["registered_on"][0]


def test_registration_more_than_30_days_after_acceptance_is_flagged(machine):
    machine.accepted_on = dt.date(2022, 3, 1)  # 30 days: Thursday 31 March
    machine.registered_on = dt.date(2022, 4, 1)
    machine.derive()
    assert machine.late_registration is True
    machine.registered_on = dt.date(2022, 3, 31)
    machine.derive()
    assert machine.late_registration is False


def test_the_registration_deadline_counts_days_like_every_other_deadline(machine):
    # accepted 1 April 2021: day 30 is 1 May, in the 劳动节 holiday (1–5 May): due 6 May
    machine.accepted_on = dt.date(2021, 4, 1)
    machine.derive()
    assert machine.registration_due_on == due_after(dt.date(2021, 4, 1), 30) == dt.date(2021, 5, 6)
    machine.registered_on = dt.date(2021, 5, 6)
    machine.derive()
    assert machine.late_registration is False


def test_the_registration_limit_is_a_setting(machine, settings):
    settings.ZHUJIAN_CRANE_REGISTRATION_DAYS = 20
    machine.registered_on = machine.accepted_on + dt.timedelta(days=25)
    machine.derive()
    assert machine.late_registration is True


def test_demo_flags_follow_the_dates():
    for m in LiftingMachine.objects.filter(registered_on__isnull=False):
        assert m.late_registration == (m.registered_on > due_after(m.accepted_on, 30))


def test_late_and_overdue_registrations_are_figures():
    late = within(LiftingMachine.objects.filter(late_registration=True), "registered_on")
    overdue = LiftingMachine.objects.filter(registration_overdue(H1.end))
    assert value("construction.cranes_registered_late") == late.count()
    assert value("construction.cranes_registration_overdue") == overdue.count()
    assert LiftingMachine.objects.filter(late_registration=True).exists()


def test_an_import_row_installing_without_notice_names_row_and_field(tmp_path, user):
    ledger = registry.get("construction_liftingmachine")
    machine = LiftingMachine.objects.select_related("owner", "project").first()
    row = {
        "所属单位": machine.org_unit.code,
        "产权备案编号": "TEST-QZ-1",
        "设备类别": "塔式起重机",
        "规格型号": "QTZ80",
        "产权单位": machine.owner.uscc,
        "使用工程": machine.project.code,
        "产权备案日期": "2022-03-01",
        "安装完成日期": "2022-04-01",
    }
    path = write_rows(tmp_path / "cranes.xlsx", ledger.name, [row])
    before = LiftingMachine.objects.count()
    result = import_file(ledger, path, user("jianzhu"))
    assert not result.ok
    assert (2, "安装完成日期") in [(e.row, e.column) for e in result.errors]
    assert LiftingMachine.objects.count() == before
