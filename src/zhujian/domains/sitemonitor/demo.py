"""Demo data for site monitoring: receiver settings for the demo's dust monitors, and a
week of their data run through the real supervision (so alarms and hazards come from the
rules). No receiver is started: ``zhujian hj212 serve`` and ``simulate`` do that.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

if TYPE_CHECKING:
    from zhujian.demo.county import DemoContext

DEMO_PASSWORD = "zj2022hj"  # letters and digits (DeviceProtocol.clean)


def build(ctx: DemoContext) -> None:
    from zhujian.domains.construction.models import SiteDevice
    from zhujian.domains.sitemonitor.models import CrcVariant, DeviceProtocol

    rng = ctx.rng
    dust = list(SiteDevice.objects.exclude(mn="").order_by("pk"))
    rows = []
    for device in dust:
        rows.append(
            DeviceProtocol(
                org_unit_id=device.org_unit_id,
                device=device,
                password=DEMO_PASSWORD,
                crc=CrcVariant.MODBUS if rng.random() < 0.1 else CrcVariant.HJ212,
                factor_units="a34004=ug" if rng.random() < 0.1 else "",
            )
        )
    ctx.save(DeviceProtocol, rows)
    history(rng, days=3)


def history(rng: random.Random, days: int, end: dt.datetime | None = None) -> None:
    """Hourly data for the last ``days`` days and real-time data (every 10 minutes) for
    the last 6 hours of every monitored device still on site, through the receiver's own
    supervision and writer."""
    from zhujian.domains.sitemonitor import conf
    from zhujian.domains.sitemonitor.devices import load_snapshot
    from zhujian.domains.sitemonitor.store import Store
    from zhujian.domains.sitemonitor.supervision import Supervisor

    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    end = (end or timezone.now()).astimezone(tz).replace(second=0, microsecond=0)
    snapshot = load_snapshot()
    supervisor = Supervisor(
        conf.limits(),
        conf.alarm_readings(),
        conf.day_hours(),
        dt.timedelta(minutes=conf.offline_minutes()),
    )
    store = Store(keep_raw=False)
    for device in snapshot.devices.values():
        dusty = rng.random() < 0.3  # some sites have a dusty afternoon
        hour = end.replace(minute=0) - dt.timedelta(days=days)
        while hour < end:
            store.readings.append(_row(rng, device, "2061", hour, hour, dusty=False))
            hour += dt.timedelta(hours=1)
        at = end - dt.timedelta(hours=6)
        while at <= end:
            spell = dusty and end - dt.timedelta(hours=3) <= at < end - dt.timedelta(hours=2)
            row = _row(rng, device, "2011", at, at, dusty=spell)
            store.readings.append(row)
            values = {"a34004": (row[5], "N"), "a34002": (row[6], "N"), "LA": (row[8], "N")}
            store.events.extend(supervisor.observe(device.id, device.project_id, at, values))
            at += dt.timedelta(minutes=10)
        store.seen.append((device.id, end, "192.0.2.1:40000"))
    store.flush()


def _row(
    rng: random.Random, device: Any, cn: str, at: dt.datetime, received: dt.datetime, dusty: bool
) -> tuple[Any, ...]:
    pm10 = rng.uniform(0.04, 0.11) * (2.6 if dusty else 1)
    night = at.hour < 6 or at.hour >= 22
    noise = rng.uniform(42, 53) if night else rng.uniform(55, 68)
    return (
        device.id,
        device.project_id,
        cn,
        at,
        received,
        round(pm10 * rng.uniform(0.4, 0.6), 3),
        round(pm10, 3),
        None,
        round(noise, 1),
        round(rng.uniform(8, 26), 1),
        round(rng.uniform(30, 80), 1),
        None,
        round(rng.uniform(0, 5), 1),
        float(rng.randrange(360)),
        "",
    )


def register_simulated(n: int) -> int:
    """Register ``n`` simulated dust monitors (``SIM…``) on existing sites, for the
    simulator and the benchmark."""
    from zhujian.domains.construction.models import ConstructionProject, SiteDevice
    from zhujian.domains.sitemonitor.models import DeviceProtocol
    from zhujian.imports.bulk import insert_with_history

    projects = list(ConstructionProject.objects.order_by("pk").values_list("pk", "org_unit_id"))
    if not projects:
        raise ValueError("没有工地，无法登记模拟设备")
    start = SiteDevice.objects.filter(code__startswith="SIM").count()
    today = timezone.localdate()
    devices = []
    for i in range(start, start + n):
        project_id, unit_id = projects[i % len(projects)]
        device = SiteDevice(
            org_unit_id=unit_id,
            project_id=project_id,
            code=f"SIM{i:07d}",
            kind="dust",
            mn=f"SIM{i:021d}",
            factors="a34004,a34002,a34001,LA,a01001,a01002,a01007,a01008",
            concentration_unit="mg",
            vendor="模拟设备",
            installed_on=today - dt.timedelta(days=1),
        )
        devices.append(device)
    with transaction.atomic():
        for chunk in range(0, len(devices), 5000):
            insert_with_history(devices[chunk : chunk + 5000], SiteDevice, change_reason="模拟设备")
        protocols = [
            DeviceProtocol(org_unit_id=d.org_unit_id, device_id=d.pk, password=DEMO_PASSWORD)
            for d in devices
        ]
        for chunk in range(0, len(protocols), 5000):
            insert_with_history(
                protocols[chunk : chunk + 5000], DeviceProtocol, change_reason="模拟设备"
            )
    return n
