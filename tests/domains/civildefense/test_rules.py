"""Rules of the 人防 ledgers, one behaviour each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.domains.xlsx import write_rows
from zhujian.core.models import OrgUnit
from zhujian.core.registry import registry
from zhujian.domains.civildefense.models import (
    DefenseWork,
    DefenseWorkInspection,
    Patrol,
    ShelterRequirement,
)
from zhujian.imports.engine import import_file

pytestmark = pytest.mark.django_db
D = Decimal


def messages(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        obj.derive()
        obj.clean()
    return exc.value.message_dict


def shelter(**kw) -> ShelterRequirement:
    fields = {
        "org_unit": OrgUnit.objects.get(code="371399001000"),
        "code": "RFJJ-TEST-1",
        "project_name": "测试小区",
        "developer": "测试置业有限公司",
        "city_class": "county",
        "use": "residential",
        "above_ground_area": D("50000"),
        "planned_area": D("4000"),
        "approved_on": dt.date(2022, 5, 1),
    }
    fields.update(kw)
    return ShelterRequirement(**fields)


def test_required_shelter_area_is_new_floor_area_times_the_settings_ratio(settings):
    settings.ZHUJIAN_CIVILDEFENSE_SHELTER_RATIOS = {"county": {"residential": "0.07"}}
    obj = shelter()
    obj.derive()
    assert obj.ratio == D("0.07")
    assert obj.required_area == D("3500.00")


def test_required_shelter_area_follows_the_default_ratios():
    obj = shelter(city_class="town", use="public", above_ground_area=D("12000"))
    obj.derive()
    assert obj.required_area == D("12000") * D("0.05")


def test_fee_in_lieu_without_a_lawful_ground_is_refused():
    errors = messages(shelter(planned_area=D(0), fee_amount=D("3600000")))
    assert "只有以下法定情形才能缴纳易地建设费" in errors["fee_ground"][0]


def test_small_area_ground_needs_a_required_area_under_1000_square_metres():
    errors = messages(shelter(planned_area=D(0), fee_ground="small", fee_amount=D(1)))
    assert "不能以“应建面积不足1000平方米”为由易地建设" in errors["fee_ground"][0]


def test_small_area_fee_is_accepted_under_1000_square_metres():
    obj = shelter(
        above_ground_area=D("10000"), planned_area=D(0), fee_ground="small", fee_amount=D(800000)
    )
    obj.derive()
    obj.clean()
    assert obj.required_area == D("800.00")


def test_geology_ground_allows_a_fee_in_lieu_whatever_the_area():
    obj = shelter(planned_area=D(0), fee_ground="geology", fee_amount=D("4000000"))
    obj.derive()
    obj.clean()


def test_a_shelter_smaller_than_required_without_a_fee_is_refused():
    errors = messages(shelter(planned_area=D("3000")))
    assert "少于应建面积" in errors["planned_area"][0]


def test_bad_fee_row_in_an_import_names_row_and_field_and_writes_nothing(tmp_path, user):
    ledger = registry.get("civildefense_shelterrequirement")
    good = {
        "所属单位": "371399001000",
        "审批编号": "RFJJ-IMP-1",
        "建设项目名称": "导入测试一期",
        "建设单位": "测试置业有限公司",
        "城市类别": "县城（非重点城市）",
        "建筑用途": "住宅",
        "新建地面建筑面积（平方米）": 50000,
        "设计防空地下室面积（平方米）": 4000,
        "审批日期": "2022-05-01",
    }
    bad = {**good, "审批编号": "RFJJ-IMP-2"}
    bad["易地建设费（元）"] = 3000000
    path = write_rows(tmp_path / "jj.xlsx", ledger.name, [good, bad])
    before = ShelterRequirement.objects.count()
    result = import_file(ledger, path, user("renfang"))
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, "易地建设理由")]
    assert "法定情形" in result.errors[0].reason
    assert ShelterRequirement.objects.count() == before


def test_work_acceptance_without_a_start_date_is_refused():
    work = DefenseWork.objects.filter(accepted_on__isnull=False).first()
    work.started_on = None
    work.stage_change_reason = "测试"
    assert "不能跳过“开工”" in messages(work)["accepted_on"][0]


def test_an_inspection_before_registration_is_refused():
    inspection = DefenseWorkInspection.objects.select_related("work").first()
    inspection.inspected_on = inspection.work.registered_on - dt.timedelta(days=1)
    assert "早于该工程质量监督注册登记日期" in messages(inspection)["inspected_on"][0]


def test_an_inspection_after_acceptance_is_refused():
    inspection = DefenseWorkInspection.objects.filter(work__accepted_on__isnull=False).first()
    inspection.inspected_on = inspection.work.accepted_on + dt.timedelta(days=1)
    assert "竣工验收" in messages(inspection)["inspected_on"][0]


def test_inspections_file_under_the_works_unit():
    inspection = DefenseWorkInspection.objects.select_related("work").first()
    inspection.org_unit = OrgUnit.objects.exclude(pk=inspection.work.org_unit_id).first()
    inspection.derive()
    assert inspection.org_unit_id == inspection.work.org_unit_id


def test_command_post_patrols_cannot_be_maintenance():
    patrol = Patrol.objects.filter(facility="command_post").first()
    patrol.kind = "maintenance"
    assert messages(patrol)["kind"] == ["升级维护只适用于指挥平台和车载指挥系统"]


def test_the_web_form_checks_the_derived_required_area(client, user):
    from django.urls import reverse

    from tests.core.helpers import form_data

    ledger = registry.get("civildefense_shelterrequirement")
    data = form_data(ledger, shelter(code="RFJJ-FORM-1", planned_area=D("100")))
    data["org_unit"] = OrgUnit.objects.get(code="371399001000").pk
    client.force_login(user("renfang"))
    response = client.post(reverse("web:ledger_create", args=[ledger.name]), data)
    assert response.status_code == 400
    assert "少于应建面积（4000.00平方米）" in response.content.decode()
    assert not ShelterRequirement.objects.filter(code="RFJJ-FORM-1").exists()
