"""The scan API: device tokens bound to one station, idempotent batches, per-event errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.domains.lpg.helpers import at, device_of, fill, own_cylinder, post, scan, station
from zhujian.domains.lpg import ingest
from zhujian.domains.lpg.models import ScanDevice, ScanEvent, Station
from zhujian.domains.lpg.models.scans import hash_token

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


def test_a_scan_without_a_device_token_is_unauthorised(client, site):
    count = ScanEvent.objects.count()
    response = client.post(
        "/api/lpg/scans/",
        {"events": [fill(own_cylinder(site).code)]},
        content_type="application/json",
    )
    assert response.status_code in (401, 403)
    assert ScanEvent.objects.count() == count


def test_a_wrong_token_is_refused(client, site):
    response = post(client, "lpg_not-a-real-token", {"events": [fill(own_cylinder(site).code)]})
    assert response.status_code == 401
    assert "设备令牌无效" in response.json()["detail"]


def test_a_revoked_token_no_longer_scans(client, site, device_token):
    device, token = device_token
    device.revoke()
    device.save()
    assert post(client, token, {"events": [fill(own_cylinder(site).code)]}).status_code == 401


def test_only_the_hash_of_a_token_is_stored(device_token):
    device, token = device_token
    device.refresh_from_db()
    assert device.token_hash == hash_token(token)
    assert token not in device.token_hash and device.token_hint == token[:10]


def test_a_token_cannot_scan_for_another_station(client, site, token):
    other = Station.objects.exclude(pk=site.pk).filter(active=True).first()
    cylinder = own_cylinder(other)
    body = {"events": [fill(cylinder.code, station=other.code), fill(own_cylinder(site).code)]}
    outcomes = post(client, token, body).json()["results"]
    assert outcomes[0]["status"] == "error"
    assert f"不能为站点 {other.code} 上传" in outcomes[0]["errors"]["station"][0]
    assert not ScanEvent.objects.filter(client_event_id=body["events"][0]["id"]).exists()
    assert outcomes[1]["status"] == "accepted"


def test_a_scan_is_always_filed_under_the_devices_own_station(client, site, token):
    other = Station.objects.exclude(pk=site.pk).filter(active=True).first()
    outcome = post(client, token, fill(own_cylinder(other).code)).json()["results"][0]
    event = ScanEvent.objects.get(pk=outcome["event"])
    assert (event.station, outcome["reason"]) == (site, "other_company")


def test_an_unknown_station_gets_an_error_for_that_event(client, site, token):
    outcome = post(client, token, fill(own_cylinder(site).code, station="ZZ99")).json()["results"][
        0
    ]
    assert outcome["status"] == "error"
    assert outcome["errors"]["station"] == ["未知的站点编号：ZZ99"]


def test_a_resent_batch_is_not_counted_twice(client, site, token):
    cylinder = own_cylinder(site)
    body = {"events": [fill(cylinder.code), fill("99999999999999")]}
    first = post(client, token, body).json()
    count = ScanEvent.objects.count()
    again = post(client, token, body).json()
    assert (first["accepted"], first["refused"], first["duplicates"]) == (1, 1, 0)
    assert (again["accepted"], again["refused"], again["duplicates"]) == (0, 0, 2)
    assert ScanEvent.objects.count() == count
    assert [o["event"] for o in again["results"]] == [o["event"] for o in first["results"]]
    assert "当时结果：拒绝" in again["results"][1]["message"]


def test_the_same_id_from_another_device_is_another_scan(client, site, token):
    other_token = device_of(site, kind="handheld")[1]
    event = fill(own_cylinder(site).code)
    assert post(client, token, event).json()["accepted"] == 1
    assert post(client, other_token, event).json()["accepted"] == 1


def test_an_id_repeated_inside_one_batch_is_recorded_once(client, site, token):
    event = fill(own_cylinder(site).code)
    result = post(client, token, {"events": [event, dict(event)]}).json()
    assert (result["accepted"], result["duplicates"]) == (1, 1)
    assert result["results"][1]["event"] == result["results"][0]["event"]
    assert ScanEvent.objects.filter(client_event_id=event["id"]).count() == 1


def test_one_bad_event_does_not_cost_the_good_ones(client, site, token):
    good = fill(own_cylinder(site).code)
    malformed = fill("abc-123")
    no_weight = fill(own_cylinder(site).code)
    del no_weight["weight_kg"]
    result = post(client, token, {"events": [good, malformed, no_weight]}).json()
    assert [o["status"] for o in result["results"]] == ["accepted", "error", "error"]
    assert "钢瓶编码格式不正确" in result["results"][1]["errors"]["code"][0]
    assert result["results"][2]["errors"] == {"weight_kg": ["充装记录须填写充装重量"]}
    assert ScanEvent.objects.filter(client_event_id=good["id"]).exists()
    assert not ScanEvent.objects.filter(
        client_event_id__in=[malformed["id"], no_weight["id"]]
    ).exists()


def test_a_malformed_event_can_be_resent_with_its_id_once_fixed(client, site, token):
    event = fill("abc")
    assert post(client, token, event).json()["errors"] == 1
    event["code"] = own_cylinder(site).code
    assert post(client, token, event).json()["accepted"] == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"id": ""}, "id"),
        ({"id": "x" * 65}, "id"),
        ({"kind": "steal"}, "kind"),
        ({"at": "yesterday"}, "at"),
        ({"at": "1999-12-31T08:00:00+08:00"}, "at"),
        ({"weight_kg": "-1"}, "weight_kg"),
        ({"weight_kg": "1e9"}, "weight_kg"),
        ({"weight_kg": True}, "weight_kg"),
        ({"operator": "长" * 51}, "operator"),
        ({"note": 5}, "note"),
        ({"colour": "red"}, "event"),
    ],
)
def test_every_field_is_bounded(client, site, token, change, field):
    event = {**fill(own_cylinder(site).code), **change}
    outcome = post(client, token, {"events": [event]}).json()["results"][0]
    assert outcome["status"] == "error"
    assert field in outcome["errors"]


def test_a_scan_from_the_future_is_refused_as_a_clock_error(client, site, token):
    future = (timezone.now() + dt.timedelta(days=1)).isoformat()
    outcome = post(client, token, fill(own_cylinder(site).code, future)).json()["results"][0]
    assert outcome["errors"]["at"] == ["扫码时间晚于服务器当前时间，请校准设备时钟"]


def test_a_time_without_zone_is_beijing_time(client, site, token):
    outcome = post(client, token, fill(own_cylinder(site).code, "2022-06-15T23:30:00")).json()
    event = ScanEvent.objects.get(pk=outcome["results"][0]["event"])
    assert event.scanned_on == dt.date(2022, 6, 15)
    assert timezone.localtime(event.scanned_at).hour == 23


def test_a_batch_over_the_limit_is_refused_whole(client, site, token, settings):
    settings.ZHUJIAN_LPG_BATCH_MAX_EVENTS = 2
    code = own_cylinder(site).code
    response = post(client, token, {"events": [fill(code), fill(code), fill(code)]})
    assert response.status_code == 400
    assert "一批最多上传 2 条" in response.json()["detail"]


@pytest.mark.parametrize("body", ["not json", '{"events": 5}', "[]"])
def test_a_body_that_is_not_a_batch_is_a_bad_request(client, token, body):
    response = client.post(
        "/api/lpg/scans/",
        body,
        content_type="application/json",
        headers={"Authorization": f"Device {token}"},
    )
    assert response.status_code == 400


def test_uploads_per_device_are_throttled(client, site, token, settings):
    from django.core.cache import cache

    cache.clear()
    settings.ZHUJIAN_LPG_DEVICE_RATE = "2/min"
    code = own_cylinder(site).code
    assert post(client, token, fill(code)).status_code == 200
    assert post(client, token, fill(code)).status_code == 200
    assert post(client, token, fill(code)).status_code == 429
    cache.clear()


def test_a_device_learns_its_station_and_the_batch_limit(client, site, token):
    data = client.get("/api/lpg/device/", headers={"Authorization": f"Device {token}"}).json()
    assert (data["station"], data["batch_max_events"]) == (site.code, 500)


def test_a_check_says_whether_the_station_may_fill_without_recording(client, site, token):
    count = ScanEvent.objects.count()
    headers = {"Authorization": f"Device {token}"}
    # the check is as of today: the station's licence must be in force today
    site.licence_expires_on = timezone.localdate() + dt.timedelta(days=365)
    site._change_reason = "测试：许可证已换发"
    site.save()
    young = own_cylinder(
        site, manufactured_on=timezone.localdate() - dt.timedelta(days=300), last_inspected_on=None
    )
    ok = client.get(f"/api/lpg/check/{young.code}/", headers=headers).json()
    unknown = client.get("/api/lpg/check/99999999999999/", headers=headers).json()
    assert ok["known"] and ok["fill_allowed"]
    assert (unknown["known"], unknown["fill_allowed"], unknown["reason"]) == (
        False,
        False,
        "unknown",
    )
    assert ScanEvent.objects.count() == count


def test_a_conflict_while_writing_falls_back_to_one_savepoint_per_event(site, monkeypatch):
    """Another upload of the same id lands between the duplicate check and the write: the
    batch is redone event by event; the conflicting one is a duplicate, the others land
    whole (row, audit row and cylinder change)."""
    device, _ = device_of(site)
    cylinder = own_cylinder(site)
    racing = fill(cylinder.code)
    events = [racing, scan("inspect", cylinder.code, at(hour=11))]
    real_judge = ingest._judge

    def landed_meanwhile(fresh, station, outcomes):
        changed = real_judge(fresh, station, outcomes)
        first = fresh[0]
        other = ScanEvent(
            **{f.attname: getattr(first, f.attname) for f in ScanEvent._meta.concrete_fields}
        )
        ingest.insert_with_history([other], ScanEvent, change_reason="另一次上传")
        return changed

    monkeypatch.setattr(ingest, "_judge", landed_meanwhile)
    result = ingest.ingest(ScanDevice.objects.select_related("station").get(pk=device.pk), events)
    assert [o.status for o in result.outcomes] == ["duplicate", "accepted"]
    assert ScanEvent.objects.filter(device=device, client_event_id=racing["id"]).count() == 1
    inspect = ScanEvent.objects.get(pk=result.outcomes[1].event)
    assert inspect.history.filter(history_type="+").exists()
    cylinder.refresh_from_db()
    assert cylinder.status == "inspecting"


def test_the_scan_api_is_in_the_openapi_schema_with_its_device_token(client, admin_user):
    client.force_login(admin_user)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert {"/api/lpg/scans/", "/api/lpg/device/", "/api/lpg/check/{code}/"} <= set(schema["paths"])
    upload = schema["paths"]["/api/lpg/scans/"]["post"]
    assert upload["security"] == [{"deviceToken": []}]
    assert schema["components"]["securitySchemes"]["deviceToken"]["name"] == "Authorization"
    assert "examples" in upload["requestBody"]["content"]["application/json"]
