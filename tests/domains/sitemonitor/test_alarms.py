"""Supervision through the running receiver: alarm debounce and clearing, day and night
noise limits, offline detection, and an alarm reaching the hazard loop."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from tests.domains.sitemonitor.conftest import TZ, packet
from tests.hazards.helpers import township_of
from zhujian.core.models import User
from zhujian.domains.construction.models import ConstructionProject
from zhujian.domains.sitemonitor import status
from zhujian.domains.sitemonitor.hazards import FOUND_BY
from zhujian.domains.sitemonitor.models import Alarm
from zhujian.hazards import loop
from zhujian.hazards.models import Hazard, HazardStatus

DAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)  # 10:00, daytime


@pytest.fixture(autouse=True)
def per_reading(settings):
    """These tests are about the debounce: each reading compared alone (no averaging
    period), and a fixed day replayed however long ago it was."""
    settings.ZHUJIAN_HJ212_AVERAGING_MINUTES = {"a34002": 0, "a34004": 0, "a34001": 0, "LA": 0}
    settings.ZHUJIAN_HJ212_MAX_AGE_DAYS = 36500


def send(live, conn, pm10: float, minute: int, *, flag: str = "N", at: dt.datetime = DAY):
    """One real-time reading with this PM10 (mg/m³), acknowledged, then written."""
    qn = f"2026{minute:013d}"
    conn.send(
        packet(
            values={"a34002": pm10, "LA": 50},
            at=at + dt.timedelta(minutes=minute),
            qn=qn,
            flags={"a34002": flag},
        )
    )
    assert qn.encode() in conn.reply()
    live.flush()


def pm10_alarms(device):
    return Alarm.objects.filter(device=device, kind="over", factor="a34002")


def site_hazards(device):
    return Hazard.objects.filter(
        source_type=ContentType.objects.get_for_model(ConstructionProject),
        source_id=device.project_id,
        found_by=FOUND_BY,
    )


def test_alarm_only_after_the_configured_consecutive_readings(live, device):
    conn = live.connect()
    send(live, conn, 0.30, 0)
    send(live, conn, 0.31, 1)
    assert not pm10_alarms(device).exists()
    send(live, conn, 0.29, 2)
    alarm = pm10_alarms(device).get()
    assert alarm.cleared_at is None
    assert (alarm.readings, alarm.peak, alarm.limit) == (3, 0.31, 0.15)
    assert alarm.started_at == DAY  # the spell began with the first reading over


def test_a_reading_back_within_the_limit_resets_the_count(live, device):
    conn = live.connect()
    for minute, pm10 in enumerate([0.3, 0.3, 0.1, 0.3, 0.3]):
        send(live, conn, pm10, minute)
    assert not pm10_alarms(device).exists()


def test_alarm_clears_when_the_value_falls_back(live, device):
    conn = live.connect()
    for minute, pm10 in enumerate([0.3, 0.3, 0.3, 0.45]):
        send(live, conn, pm10, minute)
    send(live, conn, 0.08, 4)
    alarm = pm10_alarms(device).get()
    assert alarm.cleared_at == DAY + dt.timedelta(minutes=4)
    assert (alarm.readings, alarm.peak) == (4, 0.45)


def test_readings_under_maintenance_neither_count_nor_clear(live, device):
    conn = live.connect()
    send(live, conn, 0.3, 0)
    send(live, conn, 0.9, 1, flag="M")  # maintenance: ignored
    send(live, conn, 0.3, 2)
    assert not pm10_alarms(device).exists()
    send(live, conn, 0.3, 3)
    assert pm10_alarms(device).filter(cleared_at__isnull=True).count() == 1
    send(live, conn, 0.01, 4, flag="C")  # calibration does not clear it
    assert pm10_alarms(device).filter(cleared_at__isnull=True).count() == 1


def test_limit_is_a_setting(live, device, settings):
    settings.ZHUJIAN_HJ212_LIMITS = {"a34002": 0.5}
    settings.ZHUJIAN_HJ212_ALARM_READINGS = 1
    from zhujian.domains.sitemonitor.runner import build_receiver

    assert build_receiver().supervisor.limits["a34002"] == 0.5
    assert build_receiver().supervisor.needed == 1


@pytest.mark.parametrize(("hour", "alarmed"), [(10, False), (23, True), (5, True), (6, False)])
def test_noise_has_a_day_and_a_night_limit(live, device, hour, alarmed):
    conn = live.connect()
    at = DAY.replace(hour=hour)
    for minute in range(3):
        qn = f"2026{minute:013d}"
        conn.send(packet(values={"LA": 62}, at=at + dt.timedelta(minutes=minute), qn=qn))
        conn.reply()
    live.flush()
    assert Alarm.objects.filter(device=device, factor="LA").exists() is alarmed


def test_an_alarm_opens_a_hazard_for_the_site_in_the_hazard_loop(live, device, admin_user):
    conn = live.connect()
    for minute in range(3):
        send(live, conn, 0.4, minute)
    alarm = pm10_alarms(device).get()
    hazard = alarm.hazard
    assert hazard is not None and hazard.line == "construction"
    assert hazard.status == HazardStatus.FOUND
    assert hazard.source_record == device.project
    assert hazard.org_unit_id == device.project.org_unit_id
    assert "PM10" in hazard.description and device.code in hazard.description
    # … and it is followed up like any other hazard: notice → rectified → verified.
    assert loop.filtered(admin_user, {"line": "construction"}).filter(pk=hazard.pk).exists()
    steps = [
        (
            "notice",
            {
                "notice_number": "JZ-2026-001",
                "notice_issued_on": "2026-03-02",
                "notice_deadline": "2026-03-09",
            },
        ),
        ("rectify", {"rectified_on": "2026-03-05", "rectification_evidence": "已加装喷淋降尘"}),
        ("verify", {"verified_on": "2026-03-06", "verified_by": "王工"}),
    ]
    # Each step by the account its rule names (hazards.workflows): the 股室 notifies and
    # accepts; the site's township rectifies (the other construction 股室 for a site filed
    # outside any township: the rectifier never accepts).
    department = User.objects.get(username="jianzhu")
    rectifier = (
        township_of(hazard) if hazard.org_unit.township() else User.objects.get(username="zhijian")
    )
    for step, data in steps:
        actor = rectifier if step == "rectify" else department
        form = loop.apply_step(hazard, step, data, user=actor)
        assert not form.errors, form.errors
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.CLOSED


def test_further_alarms_join_the_open_hazard_of_the_site(live, device):
    conn = live.connect()
    for minute, pm10 in enumerate([0.4, 0.4, 0.4, 0.05, 0.4, 0.4, 0.4]):
        send(live, conn, pm10, minute)
    alarms = list(pm10_alarms(device).order_by("started_at"))
    assert len(alarms) == 2 and alarms[0].cleared_at is not None
    assert alarms[0].hazard_id == alarms[1].hazard_id
    assert site_hazards(device).count() == 1


def test_a_silent_device_goes_offline_and_comes_back(live, device):
    conn = live.connect()
    conn.send(packet(qn="20260000000000001"))
    conn.reply()
    live.flush()
    sites = ConstructionProject.objects.filter(pk=device.project_id)
    assert status.site_states(sites)[0].state == status.NORMAL
    # nine minutes of silence: still online; eleven: offline (one alarm per spell)
    key = (device.pk, "offline", "")
    live.call(lambda: live.receiver.check_offline(timezone.now() + dt.timedelta(minutes=9)))
    assert key not in live.receiver.supervisor.open
    later = timezone.now() + dt.timedelta(minutes=11)
    live.call(lambda: live.receiver.check_offline(later))
    assert key in live.receiver.supervisor.open
    live.call(lambda: live.receiver.check_offline(later + dt.timedelta(minutes=5)))
    live.flush()
    offline = Alarm.objects.get(device=device, kind="offline")
    assert offline.cleared_at is None and offline.hazard is None
    assert status.site_states(sites, now=later)[0].state == status.OFFLINE
    conn.send(packet(qn="20260000000000002"))
    conn.reply()
    live.flush()
    offline.refresh_from_db()
    assert offline.cleared_at is not None


def test_offline_alarms_survive_a_restart_of_the_receiver(live, device):
    conn = live.connect()
    conn.send(packet(qn="20260000000000001"))
    conn.reply()
    live.flush()
    live.call(lambda: live.receiver.check_offline(timezone.now() + dt.timedelta(minutes=11)))
    live.flush()
    from zhujian.domains.sitemonitor.runner import build_receiver

    again = build_receiver()  # a restarted receiver knows the alarm is open
    assert (device.pk, "offline", "") in again.supervisor.open
    again.check_offline(timezone.now() + dt.timedelta(minutes=30))
    again.store.flush()
    assert Alarm.objects.filter(device=device, kind="offline").count() == 1
