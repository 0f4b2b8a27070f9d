"""Issue 20's crane items (建设部令第166号): inspection and acceptance results, dismantling a
machine that never went into use, the safety-assessment age, deadlines counted like all
others, and the dates that move them corrected only with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.core.helpers import form_data
from tests.domains.construction.helpers import messages
from tests.domains.xlsx import write_rows
from zhujian.core import versions
from zhujian.core.registry import registry
from zhujian.domains.construction.models import LiftingMachine
from zhujian.domains.construction.models.cranes import DEADLINES
from zhujian.imports.engine import import_file

pytestmark = pytest.mark.django_db
LEDGER = registry.get("construction_liftingmachine")


def installed() -> LiftingMachine:
    """A stored machine, taken back to “installed” (no inspection, acceptance or use)."""
    machine = LiftingMachine.objects.filter(registered_on__isnull=False).order_by("pk").first()
    for name in (
        "inspected_on",
        "accepted_on",
        "registered_on",
        "removal_notice_on",
        "removed_on",
        "cancelled_on",
    ):
        setattr(machine, name, None)
    machine.inspection_result = machine.acceptance_result = machine.registration_number = ""
    return machine


def test_an_inspection_needs_its_result():
    machine = installed()
    machine.inspected_on = machine.installed_on + dt.timedelta(days=2)
    assert "检验结论" in messages(machine)["inspection_result"][0]


def test_a_machine_that_failed_inspection_cannot_be_accepted():
    machine = installed()
    machine.inspected_on = machine.installed_on + dt.timedelta(days=2)
    machine.inspection_result = "failed"
    machine.accepted_on = machine.inspected_on + dt.timedelta(days=1)
    machine.acceptance_result = "passed"
    message = messages(machine)["accepted_on"][0]
    assert "检验不合格" in message and "建设部令第166号 第十六条" in message


def test_a_machine_that_failed_acceptance_cannot_be_registered():
    machine = installed()
    machine.inspected_on = machine.installed_on + dt.timedelta(days=2)
    machine.inspection_result = "passed"
    machine.accepted_on = machine.inspected_on + dt.timedelta(days=1)
    machine.acceptance_result = "failed"
    machine.registered_on = machine.accepted_on + dt.timedelta(days=3)
    machine.registration_number = "鲁QD-TEST-1"
    message = messages(machine)["registered_on"][0]
    assert "验收不合格" in message and "第十七条" in message
    machine.registered_on, machine.registration_number = None, ""
    machine.derive()
    assert machine.registration_due_on is None  # nothing to register after a failure


def test_a_machine_never_registered_for_use_may_be_dismantled():
    machine = installed()
    machine.inspected_on = machine.installed_on + dt.timedelta(days=2)
    machine.inspection_result = "failed"
    machine.removal_notice_on = machine.inspected_on + dt.timedelta(days=3)
    machine.removed_on = machine.removal_notice_on + dt.timedelta(days=2)
    machine.derive()
    machine.clean()


def test_a_machine_installed_and_never_inspected_may_be_dismantled():
    machine = installed()
    machine.removal_notice_on = machine.installed_on + dt.timedelta(days=1)
    machine.removed_on = machine.removal_notice_on + dt.timedelta(days=1)
    machine.derive()
    machine.clean()


def test_dismantling_still_needs_its_notice_and_date_order():
    machine = installed()
    machine.removed_on = machine.installed_on + dt.timedelta(days=1)
    assert "removed_on" in messages(machine)
    machine = installed()
    machine.removal_notice_on = machine.installed_on - dt.timedelta(days=1)
    assert "removal_notice_on" in messages(machine)


def test_dismantling_an_unused_machine_through_the_form(client, user):
    machine = LiftingMachine.objects.filter(registered_on__isnull=False).order_by("pk").first()
    client.force_login(user("jianzhu"))
    stored = installed()
    data = form_data(LEDGER, stored)
    data.update(
        removal_notice_on=(stored.installed_on + dt.timedelta(days=1)).isoformat(),
        removed_on=(stored.installed_on + dt.timedelta(days=3)).isoformat(),
        stage_change_reason="检验前即撤场，未投入使用",
        correction_reason="使用登记系误录，予以撤销",
    )
    data[versions.VERSION_FIELD] = versions.token(machine)
    response = client.post(reverse("web:ledger_update", args=[LEDGER.name, machine.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    machine.refresh_from_db()
    assert machine.registered_on is None and machine.removed_on is not None


def test_an_imported_acceptance_without_result_names_row_and_column(tmp_path, user):
    machine = LiftingMachine.objects.select_related("owner", "project").first()
    row = {
        "所属单位": machine.org_unit.code,
        "产权备案编号": "TEST-QZ-9",
        "设备类别": "塔式起重机",
        "规格型号": "QTZ80",
        "产权单位": machine.owner.uscc,
        "使用工程": machine.project.code,
        "产权备案日期": "2022-03-01",
        "安装告知日期": "2022-03-05",
        "安装完成日期": "2022-03-10",
        "检验日期": "2022-03-12",
        "检验结论": "不合格",
        "验收日期": "2022-03-14",
        "验收结论": "合格",
    }
    path = write_rows(tmp_path / "cranes.xlsx", LEDGER.name, [row])
    result = import_file(LEDGER, path, user("jianzhu"))
    assert not result.ok
    assert (2, "验收日期") in [(e.row, e.column) for e in result.errors]


# --- service life: the safety-assessment age (JGJ/T 189-2009) ------------------------------


def test_a_tower_crane_is_due_for_assessment_ten_years_after_leaving_the_factory():
    machine = installed()
    machine.kind, machine.made_on = "tower", dt.date(2012, 5, 1)
    machine.derive()
    assert machine.assessment_due_on == dt.date(2022, 5, 1)
    machine.kind = "hoist"
    machine.derive()
    assert machine.assessment_due_on == dt.date(2020, 5, 1)


def test_the_assessment_ages_are_a_setting(settings):
    settings.ZHUJIAN_CRANE_ASSESSMENT_YEARS = {"tower": 15, "hoist": 6, "material": 5}
    machine = installed()
    machine.kind, machine.made_on = "tower", dt.date(2012, 5, 1)
    machine.derive()
    assert machine.assessment_due_on == dt.date(2027, 5, 1)
    machine.kind = "hoist"
    machine.derive()
    assert machine.assessment_due_on == dt.date(2018, 5, 1)


def test_a_machine_past_its_assessment_age_is_on_the_overdue_list_until_assessed():
    machine = LiftingMachine.objects.filter(registered_on__isnull=False).order_by("pk").first()
    machine.kind = "tower"
    machine._change_reason = "测试：出厂日期"
    machine.made_on = dt.date(2010, 1, 1)
    machine.save()
    overdue = LiftingMachine.objects.filter(DEADLINES.overdue_q(dt.date(2022, 6, 30)))
    assert overdue.filter(pk=machine.pk).exists()
    machine.assessed_on = dt.date(2022, 3, 1)
    machine.save()
    overdue = LiftingMachine.objects.filter(DEADLINES.overdue_q(dt.date(2022, 6, 30)))
    assert not overdue.filter(pk=machine.pk).exists()


def test_retyping_the_acceptance_date_needs_a_reason(client, user):
    machine = LiftingMachine.objects.filter(registered_on__isnull=False).order_by("pk").first()
    client.force_login(user("jianzhu"))
    url = f"/api/ledgers/{LEDGER.name}/{machine.pk}/"
    moved = {"accepted_on": machine.registered_on.isoformat()}
    response = client.patch(url, moved, content_type="application/json")
    assert response.status_code == 400 and "更正理由" in str(response.json()["accepted_on"])
    response = client.patch(
        url, moved | {"correction_reason": "按验收记录更正"}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    machine.refresh_from_db()
    assert machine.history.first().history_change_reason == "更正：按验收记录更正"
