"""Smart-site devices: factors as HJ 212 codes, MN codes, the pilot threshold."""

from __future__ import annotations

import pytest

from tests.domains.construction.helpers import messages
from zhujian.domains.construction.models import SiteDevice, parse_factors

pytestmark = pytest.mark.django_db


def test_factor_names_and_codes_both_parse_to_codes():
    assert parse_factors("PM2.5、pm10，噪声 a01007") == (["a34004", "a34002", "LA", "a01007"], [])
    assert parse_factors("PM2.5,臭氧") == (["a34004"], ["臭氧"])


def test_factors_are_stored_as_codes():
    device = SiteDevice.objects.filter(kind="dust").first()
    device.factors = "PM2.5,PM10,噪声"
    device.derive()
    assert device.factors == "a34004,a34002,LA"


def test_an_unknown_factor_is_refused():
    device = SiteDevice.objects.filter(kind="dust").first()
    device.factors = "PM2.5,臭氧"
    assert "无法识别的监测因子：臭氧" in messages(device)["factors"][0]


def test_a_dust_monitor_must_measure_particles():
    device = SiteDevice.objects.filter(kind="dust").first()
    device.factors = "LA"
    assert "扬尘监测仪至少应监测" in messages(device)["factors"][0]


def test_cameras_measure_no_factors():
    device = SiteDevice.objects.filter(kind="dome_camera").first()
    device.factors = "PM2.5"
    assert messages(device)["factors"] == ["摄像头不采集监测因子"]


def test_an_mn_code_belongs_to_one_device():
    first, second = SiteDevice.objects.exclude(mn="").order_by("pk")[:2]
    second.mn = first.mn
    assert messages(second)["mn"] == [f"MN 编码 {first.mn} 已被其他设备使用"]


def test_a_site_below_the_pilot_threshold_cannot_join_the_pilot():
    device = SiteDevice.objects.filter(pilot__isnull=False).select_related("project").first()
    project = device.project
    project.floor_area = device.pilot.min_floor_area - 1
    assert "低于试点门槛" in messages(device)["pilot"][0]
