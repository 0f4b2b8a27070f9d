"""Repeated refusals at one station open ONE hazard in the shared loop."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from tests.domains.lpg.helpers import at, device_of, fill, post
from zhujian.domains.lpg.hazards import FOUND_BY
from zhujian.domains.lpg.models import ScanEvent, Station
from zhujian.hazards.models import Hazard

pytestmark = pytest.mark.django_db
DAY = dt.date(2022, 5, 10)  # before the demo's June scans


@pytest.fixture
def quiet_station():
    """A station without refusals in the week before DAY and without a hazard of its own."""
    for station in Station.objects.filter(active=True, devices__isnull=False).distinct():
        recent = ScanEvent.objects.filter(
            station=station,
            status="refused",
            scanned_on__range=(DAY - dt.timedelta(days=20), DAY),
        )
        if not recent.exists() and not _hazards(station).exists():
            return station
    pytest.fail("no quiet station in the demo")


def _hazards(station: Station):
    return Hazard.objects.filter(
        source_type=ContentType.objects.get_for_model(Station), source_id=station.pk
    )


def refuse(client, token, n: int, hour: int = 9) -> dict:
    events = [fill(f"9999999900{i:04d}", at(DAY, hour, i)) for i in range(n)]
    return post(client, token, {"events": events}).json()


def test_refusals_below_the_threshold_open_no_hazard(client, quiet_station, settings):
    settings.ZHUJIAN_LPG_REFUSAL_HAZARD_THRESHOLD = 5
    token = device_of(quiet_station)[1]
    assert refuse(client, token, 4)["hazard"] is None
    assert not _hazards(quiet_station).exists()


def test_reaching_the_threshold_opens_one_hazard_linked_to_the_station(
    client, quiet_station, settings
):
    settings.ZHUJIAN_LPG_REFUSAL_HAZARD_THRESHOLD = 5
    token = device_of(quiet_station)[1]
    code = refuse(client, token, 5)["hazard"]
    hazard = Hazard.objects.get(code=code)
    assert (hazard.line, hazard.source_record, hazard.found_by) == ("gas", quiet_station, FOUND_BY)
    assert hazard.org_unit_id == quiet_station.org_unit_id and hazard.found_on == DAY
    assert "钢瓶未登记5次" in hazard.description


def test_more_refusals_do_not_open_another_hazard_while_one_is_open(
    client, quiet_station, settings
):
    settings.ZHUJIAN_LPG_REFUSAL_HAZARD_THRESHOLD = 5
    token = device_of(quiet_station)[1]
    refuse(client, token, 5)
    assert refuse(client, token, 6, hour=10)["hazard"] is None
    assert _hazards(quiet_station).count() == 1


def test_refusals_outside_the_window_do_not_add_up(client, quiet_station, settings):
    settings.ZHUJIAN_LPG_REFUSAL_HAZARD_THRESHOLD = 5
    settings.ZHUJIAN_LPG_REFUSAL_HAZARD_WINDOW_DAYS = 7
    token = device_of(quiet_station)[1]
    early = [fill(f"999999990{i:05d}", at(DAY - dt.timedelta(days=10), 9, i)) for i in range(3)]
    post(client, token, {"events": early})
    assert refuse(client, token, 3)["hazard"] is None


def test_a_closed_hazard_lets_new_refusals_open_a_new_one(client, quiet_station, settings):
    settings.ZHUJIAN_LPG_REFUSAL_HAZARD_THRESHOLD = 5
    token = device_of(quiet_station)[1]
    hazard = Hazard.objects.get(code=refuse(client, token, 5)["hazard"])
    hazard.notice_number, hazard.notice_issued_on = "燃整〔2022〕9号", DAY
    hazard.notice_deadline = DAY + dt.timedelta(days=10)
    hazard.rectified_on = hazard.verified_on = DAY + dt.timedelta(days=2)
    hazard.rectification_evidence, hazard.verified_by = "已培训充装工并清退外来瓶", "王明"
    hazard.save()
    assert refuse(client, token, 5, hour=11)["hazard"] is not None
    assert _hazards(quiet_station).count() == 2
