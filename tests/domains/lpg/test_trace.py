"""Trace pages (a cylinder's whole life in order, a user's cylinders), search and labels."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.domains.lpg.helpers import (
    DAY,
    at,
    customer,
    device_of,
    fill,
    own_cylinder,
    post,
    scan,
    station,
)
from zhujian.domains.lpg import trace
from zhujian.domains.lpg.models import Customer, Cylinder, CylinderInspection, ScanEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return station()


def test_the_trace_is_in_time_order_whatever_the_upload_order(client, site):
    cylinder, user = own_cylinder(site), customer()
    terminal, handheld = device_of(site)[1], device_of(site, "handheld")[1]
    later = DAY + dt.timedelta(days=20)
    # the handheld was offline: its delivery arrives after the next day's fill
    post(client, terminal, fill(cylinder.code, at(later, 8)))
    post(client, terminal, fill(cylinder.code, at(later - dt.timedelta(days=1), 7)))
    post(
        client,
        handheld,
        scan("deliver", cylinder.code, at(later - dt.timedelta(days=1), 9), customer=user.code),
    )
    steps = trace.cylinder_trace(cylinder)
    whens = [(s.day, s.time or dt.time(0)) for s in steps]
    assert whens == sorted(whens)
    assert [s.what for s in steps[-3:]] == ["充装", "配送入户", "充装"]
    assert steps[0].what == "制造" and "建档" in [s.what for s in steps]


def test_an_inspection_comes_before_the_scans_of_its_day(client, site):
    cylinder = own_cylinder(site)
    day = DAY + dt.timedelta(days=25)
    post(client, device_of(site)[1], fill(cylinder.code, at(day, 7)))
    CylinderInspection.objects.create(
        cylinder=cylinder, inspected_on=day, body="示例县气瓶定期检验站", result="passed"
    )
    whats = [s.what for s in trace.cylinder_trace(cylinder) if s.day == day]
    assert whats == ["定期检验（合格）", "充装"]


def test_refused_scans_are_in_the_trace_with_their_reason(client, site):
    cylinder = own_cylinder(site, status="scrapped", scrapped_on=DAY - dt.timedelta(days=1))
    post(client, device_of(site)[1], fill(cylinder.code, at(DAY + dt.timedelta(days=30))))
    last = trace.cylinder_trace(cylinder)[-1]
    assert (last.what, last.refused) == ("充装（拒绝）", True)
    assert "已报废或注销" in last.reason


def test_the_cylinder_page_lists_its_life(client, admin_user):
    cylinder = ScanEvent.objects.filter(status="accepted").first().cylinder
    client.force_login(admin_user)
    page = client.get(f"/lpg/cylinders/{cylinder.code}/").content.decode()
    assert cylinder.code in page and "全生命周期" in page and "充装" in page


def test_a_user_has_the_cylinders_last_delivered_to_them(client, site):
    cylinder, user = own_cylinder(site), customer()
    handheld = device_of(site, "handheld")[1]
    post(
        client,
        handheld,
        scan("deliver", cylinder.code, at(DAY + dt.timedelta(days=40)), customer=user.code),
    )
    assert cylinder in trace.in_hand(user)
    post(
        client,
        handheld,
        scan("return", cylinder.code, at(DAY + dt.timedelta(days=41)), customer=user.code),
    )
    assert cylinder not in trace.in_hand(user)


def test_the_user_page_shows_cylinders_in_hand_and_deliveries(client, admin_user):
    delivered = ScanEvent.objects.filter(kind="deliver", status="accepted").last()
    client.force_login(admin_user)
    page = client.get(f"/lpg/customers/{delivered.customer.code}/").content.decode()
    assert "在用钢瓶" in page and delivered.code in page


def test_search_by_code_opens_the_cylinder_or_the_user(client, admin_user):
    client.force_login(admin_user)
    cylinder, user = Cylinder.objects.first(), Customer.objects.first()
    assert client.get("/lpg/", {"q": cylinder.code}).url == f"/lpg/cylinders/{cylinder.code}/"
    assert client.get("/lpg/", {"q": user.code}).url == f"/lpg/customers/{user.code}/"
    page = client.get("/lpg/", {"q": cylinder.code[:10]}).content.decode()
    assert cylinder.code in page


def test_a_township_cannot_trace_another_townships_cylinder(client, town_a):
    outside = Cylinder.objects.exclude(org_unit__path__startswith=town_a.org_unit.path).first()
    client.force_login(town_a)
    assert client.get(f"/lpg/cylinders/{outside.code}/").status_code == 404
    assert client.get("/lpg/", {"q": outside.code}).status_code == 200  # not found, no redirect
    assert client.get(f"/api/lpg/cylinders/{outside.code}/trace/").status_code == 404


def test_the_trace_api_gives_the_same_steps(client, admin_user):
    cylinder = ScanEvent.objects.filter(status="accepted").first().cylinder
    client.force_login(admin_user)
    steps = client.get(f"/api/lpg/cylinders/{cylinder.code}/trace/").json()
    assert [s["what"] for s in steps] == [s.what for s in trace.cylinder_trace(cylinder)]


def test_a_label_is_an_svg_with_the_qr_code_and_the_code(client, admin_user):
    cylinder = Cylinder.objects.first()
    client.force_login(admin_user)
    response = client.get(f"/lpg/cylinders/{cylinder.code}/label.svg")
    body = response.content.decode()
    assert response["Content-Type"] == "image/svg+xml"
    assert body.startswith("<svg") and cylinder.code in body and 'class="qrline"' in body


def test_a_label_sheet_prints_the_cylinders_asked_for(client, admin_user):
    codes = list(Cylinder.objects.values_list("code", flat=True)[:3])
    client.force_login(admin_user)
    page = client.get("/lpg/labels/", {"codes": ",".join(codes)}).content.decode()
    assert page.count('class="qrline"') == 3


def test_the_qr_code_reads_back_as_the_cylinder_code():
    import segno

    from zhujian.domains.lpg.labels import qr_svg

    code = Cylinder.objects.first().code
    assert (
        segno.make(code, error="m", micro=False).designator
        == segno.make(code, error="m", micro=False).designator
    )
    assert 'class="qrline"' in qr_svg(code)


def test_a_device_token_is_shown_once_and_stored_only_as_a_hash(client, user):
    from zhujian.domains.lpg.models import ScanDevice
    from zhujian.domains.lpg.models.scans import hash_token

    device = ScanDevice.objects.filter(kind="handheld").first()
    client.force_login(user("ranqi"))
    page = client.post(f"/lpg/devices/{device.pk}/token/").content.decode()
    token = page.split('id="token"')[1].split(">", 1)[1].split("<", 1)[0]
    device.refresh_from_db()
    assert device.token_hash == hash_token(token)
    assert token not in client.get(device.get_absolute_url()).content.decode()
    client.post(f"/lpg/devices/{device.pk}/revoke/")
    device.refresh_from_db()
    assert device.token_hash is None and not device.active


def test_a_township_cannot_issue_tokens(client, town_a):
    from zhujian.domains.lpg.models import ScanDevice

    device = ScanDevice.objects.filter(org_unit__path__startswith=town_a.org_unit.path).first()
    client.force_login(town_a)
    assert client.post(f"/lpg/devices/{device.pk}/token/").status_code == 403
