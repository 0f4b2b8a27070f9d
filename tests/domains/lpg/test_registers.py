"""Rules of the LPG registers, one behaviour each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhujian.domains.lpg import rules
from zhujian.domains.lpg.models import Customer, Cylinder, CylinderInspection, Station
from zhujian.domains.urban.models import GasCompany

pytestmark = pytest.mark.django_db


def messages(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        obj.full_clean()
    return exc.value.message_dict


def test_dates_follow_the_design_life_the_maximum_life_and_the_cycle():
    made = dt.date(2014, 3, 1)
    assert rules.scrap_due(made, None) == dt.date(2022, 3, 1)
    assert rules.scrap_due(made, dt.date(2018, 2, 1)) == dt.date(2026, 3, 1)
    assert rules.next_inspection_due(made, None) == dt.date(2018, 3, 1)
    assert rules.next_inspection_due(made, dt.date(2024, 1, 1)) == dt.date(2026, 3, 1)
    assert rules.add_years(dt.date(2020, 2, 29), 4) == dt.date(2024, 2, 29)
    assert rules.add_years(dt.date(2020, 2, 29), 1) == dt.date(2021, 2, 28)


def test_a_cylinder_code_must_match_the_county_format():
    cylinder = Cylinder.objects.first()
    cylinder.code = "ab-12"
    assert "钢瓶编码格式不正确" in messages(cylinder)["code"][0]


def test_a_cylinder_must_belong_to_an_lpg_company():
    cylinder = Cylinder.objects.first()
    cylinder.company = GasCompany.objects.exclude(kind="lpg").first()
    assert "液化气站" in messages(cylinder)["company"][0]


def test_a_scrapped_cylinder_needs_its_scrap_date():
    cylinder = Cylinder.objects.filter(status="in_use").first()
    cylinder.status = "scrapped"
    assert "须填写报废（注销）日期" in messages(cylinder)["scrapped_on"][0]


def test_a_scrap_date_needs_a_scrapped_status():
    cylinder = Cylinder.objects.filter(status="in_use").first()
    cylinder.scrapped_on = dt.date(2022, 5, 1)
    assert "状态应为报废或注销" in messages(cylinder)["status"][0]


def test_the_last_inspection_is_not_typed_on_the_register():
    from zhujian.core.registry import registry

    ledger = registry.for_model(Cylinder)
    assert "last_inspected_on" not in ledger.form_fields
    assert "next_inspection_due" not in ledger.excel_fields


def test_only_a_masked_id_number_is_kept():
    customer = Customer.objects.filter(kind="resident").first()
    customer.id_masked = "371399198001011234"
    assert "只登记脱敏后的形式" in messages(customer)["id_masked"][0]
    customer.id_masked = "3713**********123X"
    customer.full_clean()


def test_a_household_needs_its_masked_id():
    customer = Customer.objects.filter(kind="resident").first()
    customer.id_masked = ""
    assert "须登记户主身份证号" in messages(customer)["id_masked"][0]


def test_a_station_belongs_to_an_lpg_company():
    station = Station.objects.first()
    station.company = GasCompany.objects.filter(kind="pipeline").first()
    assert "液化气站" in messages(station)["company"][0]


def _inspection(cylinder: Cylinder, **kw) -> CylinderInspection:
    fields = {
        "cylinder": cylinder,
        "inspected_on": dt.date(2022, 6, 1),
        "body": "检验站",
        "result": "passed",
    }
    fields.update(kw)
    return CylinderInspection(org_unit_id=cylinder.org_unit_id, **fields)


def test_an_inspection_with_a_failed_item_cannot_pass():
    record = _inspection(Cylinder.objects.first(), hydro_ok=False)
    assert "水压试验合格" in messages(record)["result"][0]


def test_a_sound_young_cylinder_cannot_be_scrapped_without_a_failed_item():
    young = Cylinder.objects.filter(manufactured_on__gt=dt.date(2019, 1, 1)).first()
    assert "不能判废" in messages(_inspection(young, result="scrapped"))["result"][0]


def test_a_passed_inspection_moves_the_cylinder_dates_and_brings_it_back_into_use():
    cylinder = Cylinder.objects.filter(status="in_use", manufactured_on__year=2016).first()
    cylinder.status = "due"
    cylinder.save()
    record = _inspection(cylinder, inspected_on=dt.date(2022, 6, 20))
    record.save()
    cylinder.refresh_from_db()
    assert cylinder.last_inspected_on == dt.date(2022, 6, 20)
    assert cylinder.status == "in_use"
    assert (
        cylinder.next_inspection_due
        == record.next_due
        == min(dt.date(2026, 6, 20), rules.add_years(cylinder.manufactured_on, 12))
    )


def test_a_scrapping_inspection_scraps_the_cylinder():
    cylinder = Cylinder.objects.filter(status="in_use").first()
    _inspection(
        cylinder, inspected_on=dt.date(2022, 6, 21), wall_ok=False, result="scrapped"
    ).save()
    cylinder.refresh_from_db()
    assert (cylinder.status, cylinder.scrapped_on) == ("scrapped", dt.date(2022, 6, 21))


def test_an_imported_inspection_moves_its_cylinder_too(tmp_path, user):
    from openpyxl import Workbook

    from zhujian.core.registry import registry
    from zhujian.imports.columns import build_columns
    from zhujian.imports.engine import import_file

    ledger = registry.for_model(CylinderInspection)
    cylinder = Cylinder.objects.filter(status="in_use", manufactured_on__year=2017).first()
    headers = [c.header for c in build_columns(ledger)]
    values = {
        "所属单位": cylinder.org_unit.code,
        "钢瓶": cylinder.code,
        "检验日期": dt.date(2022, 6, 25),
        "检验机构": "示例县气瓶定期检验站",
        "检验结论": "合格",
    }
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(headers)
    ws.append([values.get(h) for h in headers])
    wb.save(tmp_path / "inspections.xlsx")
    result = import_file(ledger, tmp_path / "inspections.xlsx", user("ranqi"))
    assert result.ok and result.created == 1, [str(e) for e in result.errors]
    cylinder.refresh_from_db()
    assert cylinder.last_inspected_on == dt.date(2022, 6, 25)
    assert cylinder.history.first().history_change_reason == "Excel导入定期检验记录"


def test_a_manual_entry_is_judged_by_the_same_rules():
    from zhujian.domains.lpg.models import ScanDevice, ScanEvent

    device = ScanDevice.objects.filter(kind="manual").select_related("station").first()
    event = ScanEvent(
        device=device,
        client_event_id="BL-2022-001",
        kind="fill",
        code="99999999999999",
        scanned_at=dt.datetime(2022, 6, 10, 8, 0, tzinfo=dt.UTC),
        operator="王芳",
        weight_kg=14,
    )
    event.save()
    assert (event.status, event.reason, event.station) == ("refused", "unknown", device.station)
    assert event.org_unit_id == device.station.org_unit_id
