"""The LPG rules of issue 20, each attacked through the paths a bureau's staff and a
station's devices use: the scan API, the record form, the ledger API and Excel import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook

from tests.core.helpers import form_data
from tests.domains.lpg.helpers import (
    DAY,
    at,
    customer,
    device_of,
    fill,
    other_cylinder,
    own_cylinder,
    post,
    scan,
    station,
)
from zhujian.core import versions
from zhujian.core.registry import registry
from zhujian.domains.lpg import rules
from zhujian.domains.lpg.models import Cylinder, CylinderInspection, ScanEvent
from zhujian.imports.columns import build_columns
from zhujian.imports.engine import import_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return station()


@pytest.fixture
def token(site):
    return device_of(site)[1]


def outcome_of(client, token, event):
    return post(client, token, event).json()["results"][0]


def workbook(tmp_path, ledger, rows: list[dict]) -> str:
    headers = [c.header for c in build_columns(ledger)]
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    path = tmp_path / "file.xlsx"
    wb.save(path)
    return path


# --- fill mass (GB 5842-2006 表1) ---------------------------------------------------------


def test_a_fill_above_the_rated_fill_mass_of_its_specification_is_refused(client, site, token):
    cylinder = own_cylinder(site)  # YSP35.5: 14.9 kg
    outcome = outcome_of(client, token, fill(cylinder.code, weight_kg="15.20"))
    assert (outcome["status"], outcome["reason"]) == ("refused", "overfill")
    assert "15.20 千克超过 YSP35.5 钢瓶的额定充装量 14.9 千克" in outcome["message"]
    assert "GB 5842" in outcome["message"]
    assert ScanEvent.objects.get(pk=outcome["event"]).status == "refused"  # kept as evidence


def test_a_fill_at_the_rated_fill_mass_is_accepted(client, site, token):
    outcome = outcome_of(client, token, fill(own_cylinder(site).code, weight_kg="14.90"))
    assert outcome["status"] == "accepted"


def test_the_rated_fill_mass_is_a_setting(client, site, token, settings):
    settings.ZHUJIAN_LPG_RATED_FILL_KG = {"YSP35.5": "14.5"}
    outcome = outcome_of(client, token, fill(own_cylinder(site).code, weight_kg="14.60"))
    assert outcome["reason"] == "overfill"


def test_a_small_cylinder_cannot_take_a_large_cylinders_fill(client, site, token):
    cylinder = own_cylinder(site, spec="YSP12")  # 5.0 kg
    outcome = outcome_of(client, token, fill(cylinder.code, weight_kg="14.60"))
    assert outcome["reason"] == "overfill" and "YSP12" in outcome["message"]


def test_an_overfill_entered_on_the_form_is_refused_by_the_same_rule(client, site, user):
    editor = user("ranqi")
    client.force_login(editor)
    cylinder = own_cylinder(site)
    device = site.devices.get(kind="manual")
    response = client.post(
        reverse("web:ledger_create", args=["lpg_scanevent"]),
        {
            "org_unit": site.org_unit_id,
            "device": device.pk,
            "client_event_id": "BL-OVER-1",
            "kind": "fill",
            "code": cylinder.code,
            "scanned_at": "2022-06-15T09:00",
            "operator": "王芳",
            "weight_kg": "16.00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = ScanEvent.objects.get(device=device, client_event_id="BL-OVER-1")
    assert (event.status, event.reason) == ("refused", "overfill")


def test_an_overfill_imported_is_recorded_as_refused(tmp_path, site, user):
    ledger = registry.for_model(ScanEvent)
    cylinder = own_cylinder(site)
    device = site.devices.get(kind="manual")
    path = workbook(
        tmp_path,
        ledger,
        [
            {
                "所属单位": site.org_unit.code,
                "扫码设备": device.code,
                "流水号": "BL-IMP-1",
                "扫码类别": "充装",
                "钢瓶编码": cylinder.code,
                "扫码时间": dt.datetime(2022, 6, 15, 9, 0),
                "操作人员": "王芳",
                "充装重量（kg）": 15.5,
            }
        ],
    )
    result = import_file(ledger, path, user("ranqi"))
    assert result.ok, [str(e) for e in result.errors]
    event = ScanEvent.objects.get(device=device, client_event_id="BL-IMP-1")
    assert (event.status, event.reason) == ("refused", "overfill")


# --- the filling licence (特种设备安全法 第四十九条) -----------------------------------------


def test_a_station_whose_filling_licence_expired_cannot_fill(client, site, token):
    site.licence_expires_on = DAY - dt.timedelta(days=1)
    site._change_reason = "测试：许可证到期"
    site.save()
    outcome = outcome_of(client, token, fill(own_cylinder(site).code))
    assert (outcome["status"], outcome["reason"]) == ("refused", "licence")
    assert (
        "第四十九条" in outcome["message"]
        and str(DAY - dt.timedelta(days=1)) in (outcome["message"])
    )


def test_the_check_endpoint_says_an_expired_licence_may_not_fill(client, site, token):
    site.licence_expires_on = dt.date(2020, 1, 1)
    site._change_reason = "测试：许可证到期"
    site.save()
    response = client.get(
        f"/api/lpg/check/{own_cylinder(site).code}/", headers={"Authorization": f"Device {token}"}
    )
    assert response.json()["fill_allowed"] is False
    assert response.json()["reason"] == "licence"


def test_a_station_with_a_valid_licence_fills(client, site, token):
    site.licence_expires_on = DAY
    site._change_reason = "测试：许可证有效"
    site.save()
    assert outcome_of(client, token, fill(own_cylinder(site).code))["status"] == "accepted"


# --- delivery of the company's own cylinders (城镇燃气管理条例 第十八条) ----------------------


def test_a_station_delivers_only_its_own_companys_cylinders(client, site, token):
    stranger = other_cylinder(site)
    user_ = customer()
    outcome = outcome_of(client, token, scan("deliver", stranger.code, customer=user_.code))
    assert (outcome["status"], outcome["reason"]) == ("refused", "other_company")
    assert "不得配送" in outcome["message"] and "第十八条第（八）项" in outcome["message"]


def test_delivering_an_own_cylinder_is_accepted(client, site, token):
    user_ = customer()
    outcome = outcome_of(
        client, token, scan("deliver", own_cylinder(site).code, customer=user_.code)
    )
    assert outcome["status"] == "accepted"


# --- scrapping is final -------------------------------------------------------------------


def scrapped(site) -> Cylinder:
    cylinder = own_cylinder(site, status="scrapped", scrapped_on=DAY)
    return Cylinder.objects.get(pk=cylinder.pk)


def test_a_scrapped_cylinder_cannot_return_to_service_on_the_form(client, site, user):
    cylinder = scrapped(site)
    client.force_login(user("ranqi"))
    ledger = registry.for_model(Cylinder)
    data = form_data(ledger, cylinder)
    data.update(status="in_use", scrapped_on="")
    data[versions.VERSION_FIELD] = versions.token(cylinder)
    data["correction_reason"] = "误报废，恢复使用"  # a reason does not make it lawful
    response = client.post(reverse("web:ledger_update", args=[ledger.name, cylinder.pk]), data)
    assert response.status_code == 400
    assert "报废或注销的钢瓶不得恢复使用" in response.content.decode()
    cylinder.refresh_from_db()
    assert cylinder.status == "scrapped"


def test_a_scrapped_cylinder_cannot_return_to_service_by_one_patch(client, site, user):
    cylinder = scrapped(site)
    client.force_login(user("ranqi"))
    response = client.patch(
        f"/api/ledgers/lpg_cylinder/{cylinder.pk}/",
        {"status": "in_use", "scrapped_on": None, "correction_reason": "误报废"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "第四十八条" in str(response.json()["status"])
    cylinder.refresh_from_db()
    assert cylinder.status == "scrapped"


def test_a_scrapped_cylinder_cannot_return_to_service_by_import(tmp_path, site, user):
    cylinder = scrapped(site)
    ledger = registry.for_model(Cylinder)
    path = tmp_path / "cylinders.xlsx"
    from zhujian.imports.excel import export_rows

    export_rows(ledger, Cylinder.objects.filter(pk=cylinder.pk), path)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["数据"]
    headers = [c.value for c in ws[1]]
    ws.cell(2, headers.index("状态") + 1, "在用")
    ws.cell(2, headers.index("报废（注销）日期") + 1, None)
    wb.save(path)
    result = import_file(ledger, path, user("ranqi"))
    assert not result.ok
    assert any("不得恢复使用" in str(e) for e in result.errors)
    cylinder.refresh_from_db()
    assert cylinder.status == "scrapped"


def test_scrapped_may_still_become_deregistered(site):
    cylinder = scrapped(site)
    cylinder.status = "cancelled"
    cylinder.full_clean()  # both are retired: no return to service


def test_a_pass_after_the_scrapping_cannot_bring_the_cylinder_back(site):
    cylinder = scrapped(site)
    record = CylinderInspection(
        cylinder=cylinder, inspected_on=DAY + dt.timedelta(days=3), body="检验站", result="passed"
    )
    with pytest.raises(Exception) as exc:
        record.full_clean()
    assert "不能再登记检验合格" in str(exc.value)


# --- device-uploaded scans are evidence ----------------------------------------------------


def refused_scan(client, site, token) -> ScanEvent:
    cylinder = own_cylinder(site)
    outcome = outcome_of(client, token, fill(cylinder.code, weight_kg="20.00"))
    assert outcome["reason"] == "overfill"
    return ScanEvent.objects.get(pk=outcome["event"])


def test_a_refused_scan_cannot_be_edited_into_an_accepted_one_by_patch(client, site, token, user):
    event = refused_scan(client, site, token)
    client.force_login(user("ranqi"))
    response = client.patch(
        f"/api/ledgers/lpg_scanevent/{event.pk}/",
        {"weight_kg": "14.00"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "扫码记录一经保存即为证据" in str(response.json()["weight_kg"])
    event.refresh_from_db()
    assert (event.status, event.weight_kg) == ("refused", Decimal("20.00"))


def test_a_refused_scan_cannot_be_edited_on_the_form(client, site, token, user):
    event = refused_scan(client, site, token)
    client.force_login(user("ranqi"))
    ledger = registry.for_model(ScanEvent)
    data = form_data(ledger, event)
    data["weight_kg"] = "14.00"
    data["scanned_at"] = "2022-06-14T09:00"
    data[versions.VERSION_FIELD] = versions.token(event)
    response = client.post(reverse("web:ledger_update", args=[ledger.name, event.pk]), data)
    assert response.status_code == 400
    assert "扫码记录一经保存即为证据" in response.content.decode()
    event.refresh_from_db()
    assert event.status == "refused"


def test_a_refused_scan_cannot_be_edited_by_import(tmp_path, client, site, token, user):
    event = refused_scan(client, site, token)
    ledger = registry.for_model(ScanEvent)
    path = workbook(
        tmp_path,
        ledger,
        [
            {
                "所属单位": site.org_unit.code,
                "扫码设备": event.device.code,
                "流水号": event.client_event_id,
                "扫码类别": "充装",
                "钢瓶编码": event.code,
                "扫码时间": dt.datetime(2022, 6, 15, 9, 0),
                "操作人员": "张伟",
                "充装重量（kg）": 14.0,
            }
        ],
    )
    result = import_file(ledger, path, user("ranqi"))
    assert not result.ok
    assert any("扫码记录一经保存即为证据" in str(e) for e in result.errors)
    event.refresh_from_db()
    assert (event.status, event.weight_kg) == ("refused", Decimal("20.00"))


def test_a_note_on_a_refused_scan_keeps_its_verdict(client, site, token, user):
    event = refused_scan(client, site, token)
    client.force_login(user("ranqi"))
    response = client.patch(
        f"/api/ledgers/lpg_scanevent/{event.pk}/",
        {"note": "已约谈充装工"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    event.refresh_from_db()
    assert (event.status, event.reason, event.note) == ("refused", "overfill", "已约谈充装工")


# --- inspection cycle per specification (GB 8334-2011 §5.1) ---------------------------------


def test_a_ysp118_is_due_for_inspection_after_three_years_the_small_ones_after_four():
    made = dt.date(2020, 3, 1)
    assert rules.next_inspection_due(made, None, "YSP118") == dt.date(2023, 3, 1)
    assert rules.next_inspection_due(made, None, "YSP35.5") == dt.date(2024, 3, 1)
    assert rules.next_inspection_due(made, dt.date(2022, 1, 1), "YSP118") == dt.date(2025, 1, 1)


def test_the_cycle_per_specification_is_a_setting(settings):
    settings.ZHUJIAN_LPG_INSPECTION_CYCLE_YEARS_BY_SPEC = {"YSP118": 2, "YSP12": 5}
    made = dt.date(2020, 3, 1)
    assert rules.next_inspection_due(made, None, "YSP118") == dt.date(2022, 3, 1)
    assert rules.next_inspection_due(made, None, "YSP12") == dt.date(2025, 3, 1)


def test_filling_a_ysp118_past_its_three_year_cycle_is_refused_citing_gb_8334(client, site, token):
    made = DAY - dt.timedelta(days=365 * 3 + 30)  # 3 years and a month: a small one is fine
    cylinder = own_cylinder(site, spec="YSP118", manufactured_on=made, last_inspected_on=None)
    assert cylinder.next_inspection_due < DAY
    outcome = outcome_of(client, token, fill(cylinder.code, weight_kg="49.00"))
    assert (outcome["status"], outcome["reason"]) == ("refused", "overdue")
    assert "GB 8334-2011 第5.1条" in outcome["message"] and "每3年" in outcome["message"]
    small = own_cylinder(site, manufactured_on=made, last_inspected_on=None)
    assert outcome_of(client, token, fill(small.code, at(hour=11)))["status"] == "accepted"
