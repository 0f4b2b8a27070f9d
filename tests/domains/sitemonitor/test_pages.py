"""Site monitoring pages: the county list by state, a site's page and chart data, the
dashboard panel, the registry's rules — and the scope gate on each of them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.conftest import login
from tests.domains.sitemonitor.conftest import register
from zhujian.domains.construction.models import ConstructionProject, SiteDevice
from zhujian.domains.sitemonitor.management.commands.hj212 import prune_raw
from zhujian.domains.sitemonitor.models import Alarm, DeviceProtocol, DeviceSeen, RawPacket, Reading

pytestmark = pytest.mark.django_db


def site_in(township) -> ConstructionProject:
    project = (
        ConstructionProject.objects.filter(org_unit__path__startswith=township.path)
        .order_by("pk")
        .first()
    )
    assert project is not None
    return project


@pytest.fixture
def own_site(township):
    """A monitored site in town_a's township, seen just now, with one reading."""
    project = site_in(township)
    device = register("OWNSITE0000000000000001", project=project, code="T-OWN")
    now = timezone.now()
    DeviceSeen.objects.create(device=device, last_seen_at=now)
    Reading.objects.create(
        device=device, project=project, cn="2011", data_time=now, received_at=now, pm10=0.2
    )
    return project


def test_site_page_shows_devices_latest_data_and_alarms(client, town_a, own_site):
    device = SiteDevice.objects.get(code="T-OWN")
    Alarm.objects.create(
        device=device,
        project=own_site,
        kind="over",
        factor="a34002",
        limit=0.15,
        peak=0.2,
        readings=3,
        started_at=timezone.now(),
    )
    body = login(client, town_a).get(reverse("sitemonitor:site", args=[own_site.pk]))
    text = body.content.decode()
    assert body.status_code == 200
    assert "T-OWN" in text and "超标" in text and "PM10" in text and "未解除" in text


def test_chart_data_for_each_range(client, town_a, own_site):
    login(client, town_a)
    url = reverse("sitemonitor:site_data", args=[own_site.pk])
    data = client.get(url, {"range": "live"}).json()
    assert data["series"][0]["name"] == "PM10" and data["series"][0]["points"][0][1] == 0.2
    assert data["limits"]["a34002"] == 0.15
    assert client.get(url, {"range": "7d"}).json()["series"] == []  # no hourly data yet
    assert client.get(url, {"range": "1y"}).status_code == 404


def test_township_user_cannot_open_another_townships_site(client, town_b, own_site):
    login(client, town_b)
    assert client.get(reverse("sitemonitor:site", args=[own_site.pk])).status_code == 404
    url = reverse("sitemonitor:site_data", args=[own_site.pk])
    assert client.get(url, {"range": "live"}).status_code == 404
    listing = client.get(reverse("sitemonitor:sites")).content.decode()
    assert own_site.name not in listing


def test_township_filter_refuses_a_township_out_of_scope(client, town_a, town_b, own_site):
    login(client, town_b)
    url = reverse("sitemonitor:sites")
    assert client.get(url, {"township": town_a.org_unit.pk}).status_code == 404
    assert client.get(url, {"township": "1 OR 1=1"}).status_code == 404
    assert client.get(url, {"state": "burning"}).status_code == 404


def test_county_list_filters_by_state(client, admin_user, own_site):
    login(client, admin_user)
    url = reverse("sitemonitor:sites")
    assert own_site.name in client.get(url, {"state": "normal"}).content.decode()
    assert own_site.name not in client.get(url, {"state": "offline"}).content.decode()
    DeviceSeen.objects.filter(device__code="T-OWN").update(
        last_seen_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert own_site.name in client.get(url, {"state": "offline"}).content.decode()


def test_dashboard_panel_counts_sites_by_state(client, town_a, own_site):
    body = login(client, town_a).get(reverse("web:home")).content.decode()
    assert "工地扬尘噪声在线监测" in body
    assert reverse("sitemonitor:site", args=[own_site.pk]) not in body  # normal: not listed
    DeviceSeen.objects.filter(device__code="T-OWN").delete()
    body = client.get(reverse("web:home")).content.decode()
    assert reverse("sitemonitor:site", args=[own_site.pk]) in body  # offline: listed


def test_project_page_links_to_its_monitoring_page(client, admin_user, own_site):
    login(client, admin_user)
    page = client.get(own_site.get_absolute_url()).content.decode()
    assert reverse("sitemonitor:site", args=[own_site.pk]) in page


def test_protocol_needs_a_device_with_an_mn_and_known_units(township):
    project = site_in(township)
    camera = SiteDevice(
        project=project, code="T-CAM", kind="camera", installed_on=dt.date(2026, 1, 1)
    )
    camera.save()
    with pytest.raises(ValidationError) as err:
        DeviceProtocol(device=camera, password="123456", factor_units="LA=ug").full_clean()
    assert "MN" in str(err.value.message_dict["device"])
    assert "LA=ug" in str(err.value.message_dict["factor_units"])


def test_prune_deletes_only_raw_packets_older_than_the_setting():
    now = timezone.now()
    for days in (1, 179, 181, 400):
        RawPacket.objects.create(
            received_at=now - dt.timedelta(days=days), accepted=True, text="##…"
        )
    assert prune_raw(180) == 2
    ages = sorted((now - r.received_at).days for r in RawPacket.objects.all())
    assert ages[-1] < 180


def test_a_devices_access_password_is_masked_for_readers_and_recorded_when_shown(
    client, user, own_site
):
    """The HJ 212 password is a credential: readers (the leader, other lines) see it
    masked in the API and on the list; the line's editors may reveal it, and that is
    recorded like a personal-data view."""
    from zhujian.core.models import PersonalDataAccess

    protocol = DeviceProtocol.objects.get(device__project=own_site)
    url = f"/api/ledgers/sitemonitor_deviceprotocol/{protocol.pk}/"
    client.force_login(user("leader"))
    assert client.get(url).json()["password"] == "******"
    assert client.get(url, {"unmask": "1"}).status_code == 403
    page = client.get("/ledgers/sitemonitor_deviceprotocol/", {"q": "T-OWN"}).content.decode()
    assert protocol.password not in page
    client.force_login(user("jianzhu"))
    assert client.get(url, {"unmask": "1"}).json()["password"] == protocol.password
    assert PersonalDataAccess.objects.filter(field="password", record_id=protocol.pk).exists()
