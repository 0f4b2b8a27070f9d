"""Each refusal rule at the scan, through the real API: refused, recorded, with its reason."""

from __future__ import annotations

import datetime as dt

import pytest

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
from zhujian.domains.lpg.models import ScanEvent
from zhujian.domains.lpg.rules import add_years

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return station()


@pytest.fixture
def token(site):
    return device_of(site)[1]


def result(client, token, event) -> dict:
    response = post(client, token, {"events": [event]})
    assert response.status_code == 200, response.content
    return response.json()["results"][0]


def recorded(outcome: dict) -> ScanEvent:
    return ScanEvent.objects.get(pk=outcome["event"])


def test_a_fit_cylinder_of_the_station_is_filled(client, site, token):
    cylinder = own_cylinder(site)
    outcome = result(client, token, fill(cylinder.code))
    assert outcome["status"] == "accepted"
    event = recorded(outcome)
    assert (event.status, event.cylinder, event.station) == ("accepted", cylinder, site)


def test_filling_an_unknown_cylinder_is_refused_and_recorded(client, token):
    outcome = result(client, token, fill("99999999999999"))
    assert (outcome["status"], outcome["reason"]) == ("refused", "unknown")
    event = recorded(outcome)
    assert event.cylinder is None and event.code == "99999999999999"
    assert "未在系统中登记" in event.message


def test_filling_another_companys_cylinder_is_refused(client, site, token):
    outcome = result(client, token, fill(other_cylinder(site).code))
    assert (outcome["status"], outcome["reason"]) == ("refused", "other_company")
    assert "《城镇燃气管理条例》第十八条第（七）项" in recorded(outcome).message


def test_filling_a_cylinder_overdue_for_inspection_is_refused(client, site, token):
    cylinder = own_cylinder(site)
    cylinder.last_inspected_on = None
    cylinder.manufactured_on = add_years(DAY, -5)  # first inspection was due a year ago
    cylinder._change_reason = "测试：改写制造日期"
    cylinder.save()
    outcome = result(client, token, fill(cylinder.code))
    assert (outcome["status"], outcome["reason"]) == ("refused", "overdue")
    cylinder.refresh_from_db()
    assert cylinder.status == "due"  # withdrawn until inspected


def test_filling_on_the_inspection_due_date_is_still_allowed(client, site, token):
    cylinder = own_cylinder(site)
    cylinder.last_inspected_on = None
    cylinder.manufactured_on = add_years(DAY, -4)
    cylinder._change_reason = "测试：改写制造日期"
    cylinder.save()
    assert cylinder.next_inspection_due == DAY
    assert result(client, token, fill(cylinder.code))["status"] == "accepted"


def test_filling_a_cylinder_past_its_service_life_is_refused(client, site, token):
    cylinder = own_cylinder(site)
    cylinder.manufactured_on = add_years(DAY, -12) - dt.timedelta(days=1)
    cylinder.last_inspected_on = DAY - dt.timedelta(days=200)  # inspected, yet too old
    cylinder._change_reason = "测试：改写制造日期"
    cylinder.save()
    outcome = result(client, token, fill(cylinder.code))
    assert (outcome["status"], outcome["reason"]) == ("refused", "expired")


def test_an_uninspected_cylinder_is_scrapped_at_its_design_life(client, site, token, settings):
    settings.ZHUJIAN_LPG_INSPECTION_CYCLE_YEARS = 10  # so only the design life can refuse
    cylinder = own_cylinder(site)
    cylinder.last_inspected_on = None
    cylinder.manufactured_on = add_years(DAY, -8) - dt.timedelta(days=1)
    cylinder._change_reason = "测试：改写制造日期"
    cylinder.save()
    assert cylinder.scrap_due == add_years(cylinder.manufactured_on, 8)
    assert result(client, token, fill(cylinder.code))["reason"] == "expired"


def test_filling_a_scrapped_cylinder_is_refused(client, site, token):
    cylinder = own_cylinder(site, status="scrapped", scrapped_on=DAY - dt.timedelta(days=3))
    outcome = result(client, token, fill(cylinder.code))
    assert (outcome["status"], outcome["reason"]) == ("refused", "scrapped")


def test_a_scrap_scan_scraps_the_cylinder_and_a_later_fill_in_the_batch_is_refused(
    client, site, token
):
    cylinder = own_cylinder(site)
    body = {
        "events": [
            fill(cylinder.code, at(hour=10)),  # later in time, earlier in the batch
            scan("scrap", cylinder.code, at(hour=8), operator="张伟"),
        ]
    }
    outcomes = post(client, token, body).json()["results"]
    assert [o["status"] for o in outcomes] == ["refused", "accepted"]
    assert outcomes[0]["reason"] == "scrapped"
    cylinder.refresh_from_db()
    assert (cylinder.status, cylinder.scrapped_on) == ("scrapped", DAY)


def test_sending_for_inspection_marks_the_cylinder_under_inspection(client, site, token):
    cylinder = own_cylinder(site)
    assert result(client, token, scan("inspect", cylinder.code))["status"] == "accepted"
    cylinder.refresh_from_db()
    assert cylinder.status == "inspecting"


def test_delivering_to_a_registered_user_is_accepted(client, site, token):
    cylinder, user = own_cylinder(site), customer()
    outcome = result(client, token, scan("deliver", cylinder.code, customer=user.code))
    assert outcome["status"] == "accepted"
    assert recorded(outcome).customer == user


def test_delivering_to_a_user_not_verified_by_real_name_is_refused(client, site, token):
    cylinder, user = own_cylinder(site), customer(verified=False)
    outcome = result(client, token, scan("deliver", cylinder.code, customer=user.code))
    assert (outcome["status"], outcome["reason"]) == ("refused", "unregistered_user")


def test_delivering_to_an_unknown_user_is_refused(client, site, token):
    cylinder = own_cylinder(site)
    outcome = result(client, token, scan("deliver", cylinder.code, customer="YH999999"))
    assert (outcome["status"], outcome["reason"]) == ("refused", "unregistered_user")
    assert recorded(outcome).customer is None


def test_delivering_to_a_deregistered_user_is_refused(client, site, token):
    cylinder, user = own_cylinder(site), customer(active=False)
    outcome = result(client, token, scan("deliver", cylinder.code, customer=user.code))
    assert outcome["reason"] == "unregistered_user"


def test_rule_numbers_are_settings(client, site, token, settings):
    cylinder = own_cylinder(site)
    # a cycle of one year: a cylinder last inspected two years ago is due
    settings.ZHUJIAN_LPG_INSPECTION_CYCLE_YEARS = 1
    cylinder.last_inspected_on = DAY - dt.timedelta(days=730)
    cylinder._change_reason = "测试：改写检验日期"
    cylinder.save()  # derive the dates again under the new cycle
    assert result(client, token, fill(cylinder.code))["reason"] in ("overdue", "expired")
