"""Adapter 3: HJ 212 forwarding to a fake upstream platform, store and forward."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhujian.domains.construction.models import SiteDevice
from zhujian.domains.sitemonitor import forward
from zhujian.domains.sitemonitor.fake_upstream import FakeHJ212Upstream
from zhujian.domains.sitemonitor.models import ForwardTarget, Reading

pytestmark = pytest.mark.django_db
PW = "upstream-pw"


@pytest.fixture
def upstream(settings):
    settings.ZHUJIAN_HJ212_FORWARD_OVERTIME_S = 1
    fake = FakeHJ212Upstream(PW, seed=1).start()
    yield fake
    fake.stop()


def _device() -> SiteDevice:
    return SiteDevice.objects.exclude(mn="").order_by("pk").first()


def _readings(device: SiteDevice, start: dt.datetime, minutes: int, cn: str = "2051") -> None:
    Reading.objects.bulk_create(
        Reading(
            device=device,
            project_id=device.project_id,
            cn=cn,
            data_time=start + dt.timedelta(minutes=i),
            received_at=start + dt.timedelta(minutes=i, seconds=5),
            pm10=0.05 + i / 1000,
            noise=60.0,
        )
        for i in range(minutes)
    )


def _target(upstream: FakeHJ212Upstream, device: SiteDevice) -> ForwardTarget:
    return ForwardTarget.objects.create(
        name="市扬尘监测平台",
        host="127.0.0.1",
        port=upstream.port,
        password=PW,
        mn_map={device.mn: "UPSTREAM0001"},
        cursor=Reading.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
    )


def test_an_outage_is_replayed_in_order_exactly_once(upstream) -> None:
    device = _device()
    target = _target(upstream, device)
    now = timezone.now().replace(second=37, microsecond=0)  # beside the demo's readings
    start = now - dt.timedelta(minutes=60)
    _readings(device, start, 10)
    assert forward.forward(target).sent == 10
    upstream.stop()  # a 40-minute outage
    _readings(device, start + dt.timedelta(minutes=10), 40)
    _readings(device, now - dt.timedelta(minutes=30), 3, cn="2011")  # too old to replay
    _readings(device, now - dt.timedelta(minutes=2), 2, cn="2011")  # within the window
    down = forward.forward(target)
    assert down.sent == 0 and "无法连接" in down.error
    target.refresh_from_db()
    assert target.last_error and target.forwarded == 10
    upstream.start()
    back = forward.forward(target)
    assert back.sent == 42 and back.stale == 3 and not back.error
    minutes = [pk for pk in upstream.received if pk.cn == "2051"]
    times = [pk.cp["DataTime"] for pk in minutes]
    assert times == sorted(times) and len(times) == 50 == len(set(times))
    assert len(upstream.received) == len(upstream.stored) == 52  # each packet exactly once
    assert {pk.mn for pk in upstream.received} == {"UPSTREAM0001"}
    assert all(pk.flag == 5 for pk in upstream.received)
    target.refresh_from_db()
    assert target.forwarded == 52 and target.dropped_stale == 3 and target.dropped == 0
    assert forward.forward(target).sent == 0  # nothing left: nothing sent again


def test_lost_acknowledgements_are_resent_with_the_same_qn(upstream) -> None:
    device = _device()
    target = _target(upstream, device)
    upstream.lose_ack_rate = 0.3
    _readings(device, timezone.now().replace(second=37) - dt.timedelta(minutes=50), 30)
    outcome = forward.forward(target)
    while outcome.error:  # the link gave up after ReCount: the next run continues
        outcome = forward.forward(target)
    assert len(upstream.stored) == 30  # stored once each, however often sent
    assert len(upstream.received) > 30  # some were sent again
    qns = [pk.qn for pk in upstream.received]
    assert sorted(set(qns)) == sorted({q for q in qns})


def test_the_backlog_is_bounded_and_what_is_dropped_counted(upstream, settings) -> None:
    settings.ZHUJIAN_HJ212_FORWARD_QUEUE_MAX = 100
    device = _device()
    target = _target(upstream, device)
    upstream.stop()
    _readings(device, timezone.now().replace(second=37) - dt.timedelta(minutes=200), 150)
    forward.forward(target)
    upstream.start()
    outcome = forward.forward(target)
    target.refresh_from_db()
    assert target.dropped == 50 and outcome.sent == 100
    times = [pk.cp["DataTime"] for pk in upstream.received]
    assert len(times) == 100 and times == sorted(times)
