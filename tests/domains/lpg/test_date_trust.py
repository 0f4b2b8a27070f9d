"""Issue 21, date trust: a scan's claimed time is bounded by what is known, and a
cylinder's retirement holds whatever time a scan claims."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.domains.lpg.helpers import DAY, at, device_of, fill, own_cylinder, post, station
from zhujian.domains.lpg import ingest
from zhujian.domains.lpg.models import Cylinder, ScanDevice, ScanEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return station()


@pytest.fixture
def device_token(site):
    return device_of(site)


@pytest.fixture
def token(device_token):
    return device_token[1]


def outcome_of(client, token, event):
    return post(client, token, event).json()["results"][0]


def test_a_backdated_fill_of_a_scrapped_cylinder_is_refused(client, site, token):
    cylinder = own_cylinder(site, status="scrapped", scrapped_on=DAY)
    outcome = outcome_of(client, token, fill(cylinder.code, at(DAY - dt.timedelta(days=2))))
    assert (outcome["status"], outcome["reason"]) == ("refused", "scrapped")


def test_a_scrap_later_in_time_but_earlier_in_the_upload_still_refuses_the_fill(client, site):
    """The scrapping arrives first (a handheld that was online), the fill claiming an
    earlier time arrives later: the fill is refused, not accepted as of its claimed day."""
    cylinder = own_cylinder(site)
    _, token = device_of(site)
    first = post(client, token, {"events": [{**fill(cylinder.code), "kind": "scrap"}]})
    assert first.json()["accepted"] == 1
    outcome = outcome_of(client, token, fill(cylinder.code, at(DAY, 7)))
    assert outcome["reason"] == "scrapped"


def test_a_backdated_fill_of_a_cylinder_withdrawn_for_inspection_is_refused(client, site, token):
    cylinder = own_cylinder(
        site,
        status="due",
        manufactured_on=dt.date(2019, 3, 1),
        registered_on=dt.date(2019, 4, 1),
        last_inspected_on=None,
    )
    outcome = outcome_of(client, token, fill(cylinder.code, at(DAY - dt.timedelta(days=30))))
    assert (outcome["status"], outcome["reason"]) == ("refused", "overdue")
    assert "定期检验合格前不得充装" in outcome["message"]


def young(site) -> Cylinder:
    """A cylinder made and registered after the device's token was issued (2021-05-20)."""
    return own_cylinder(
        site, manufactured_on=dt.date(2022, 3, 1), registered_on=dt.date(2022, 4, 1)
    )


def test_a_fill_dated_before_the_cylinder_was_made_is_not_believed(client, site, token):
    cylinder = young(site)
    before = cylinder.manufactured_on - dt.timedelta(days=1)
    count = ScanEvent.objects.count()
    outcome = outcome_of(client, token, fill(cylinder.code, at(before)))
    assert outcome["status"] == "error"
    assert f"早于钢瓶 {cylinder.code} 的制造日期" in outcome["errors"]["at"][0]
    assert ScanEvent.objects.count() == count


def test_a_fill_dated_before_the_cylinder_was_registered_is_not_believed(client, site, token):
    cylinder = young(site)
    outcome = outcome_of(
        client, token, fill(cylinder.code, at(cylinder.registered_on - dt.timedelta(days=1)))
    )
    assert outcome["status"] == "error" and "建档日期" in outcome["errors"]["at"][0]


def test_a_fill_dated_before_the_devices_token_existed_is_not_believed(client, site, device_token):
    device, token = device_token
    device.token_issued_at = timezone.make_aware(dt.datetime(2022, 6, 10, 8, 0))
    device.save()
    cylinder = own_cylinder(site)
    outcome = outcome_of(client, token, fill(cylinder.code, at(dt.date(2022, 6, 9))))
    assert outcome["status"] == "error"
    assert "早于本设备令牌的签发时间 2022-06-10 08:00" in outcome["errors"]["at"][0]
    assert outcome_of(client, token, fill(cylinder.code, at(DAY)))["status"] == "accepted"


def test_a_scan_uploaded_later_than_the_upload_delay_is_not_believed(site, device_token, settings):
    settings.ZHUJIAN_LPG_MAX_UPLOAD_DELAY_DAYS = 7
    device, _ = device_token
    cylinder = own_cylinder(site)
    device = ScanDevice.objects.select_related("station").get(pk=device.pk)
    received = timezone.make_aware(dt.datetime(2022, 6, 23, 12, 0))
    late, in_time = fill(cylinder.code, at(DAY, 11)), fill(cylinder.code, at(dt.date(2022, 6, 17)))
    result = ingest.ingest(device, [late, in_time], now=received)
    first, second = result.outcomes
    assert first.status == "error"
    assert "早于上传时间 7 天以上（最长允许延迟上传 7 天）" in first.errors["at"][0]
    assert second.status == "accepted"


def test_the_upload_delay_applies_to_todays_uploads_through_the_api(client, site, token, settings):
    settings.ZHUJIAN_LPG_MAX_UPLOAD_DELAY_DAYS = 7
    outcome = outcome_of(client, token, fill(own_cylinder(site).code, at(DAY)))
    assert outcome["status"] == "error" and "最长允许延迟上传 7 天" in outcome["errors"]["at"][0]


def test_a_manual_entry_dated_before_the_cylinder_was_made_is_refused_on_the_form(
    client, site, user
):
    client.force_login(user("ranqi"))
    cylinder = own_cylinder(site)
    device = site.devices.get(kind="manual")
    made = cylinder.manufactured_on - dt.timedelta(days=3)
    response = client.post(
        reverse("web:ledger_create", args=["lpg_scanevent"]),
        {
            "org_unit": site.org_unit_id,
            "device": device.pk,
            "client_event_id": "BL-EARLY-1",
            "kind": "fill",
            "code": cylinder.code,
            "scanned_at": f"{made:%Y-%m-%d}T09:00",
            "operator": "王芳",
            "weight_kg": "14.00",
        },
    )
    assert response.status_code == 400
    assert "的制造日期" in response.content.decode()
    assert not ScanEvent.objects.filter(client_event_id="BL-EARLY-1").exists()


def test_a_manual_entry_of_a_fill_of_a_scrapped_cylinder_dated_earlier_is_refused(
    client, site, user
):
    client.force_login(user("ranqi"))
    cylinder = own_cylinder(site, status="scrapped", scrapped_on=DAY)
    device = site.devices.get(kind="manual")
    response = client.post(
        "/api/ledgers/lpg_scanevent/",
        {
            "org_unit": site.org_unit_id,
            "device": device.pk,
            "client_event_id": "BL-BACK-1",
            "kind": "fill",
            "code": cylinder.code,
            "scanned_at": at(DAY - dt.timedelta(days=5)),
            "operator": "王芳",
            "weight_kg": "14.00",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    event = ScanEvent.objects.get(client_event_id="BL-BACK-1")
    assert (event.status, event.reason) == ("refused", "scrapped")


def test_the_scrapping_date_of_a_cylinder_is_a_claim_corrected_only_with_a_reason(site):
    cylinder = own_cylinder(site, status="scrapped", scrapped_on=DAY)
    cylinder = Cylinder.objects.get(pk=cylinder.pk)
    cylinder.scrapped_on = DAY + dt.timedelta(days=10)
    with pytest.raises(Exception) as exc:
        cylinder.save()
    assert "更正理由" in str(exc.value)
