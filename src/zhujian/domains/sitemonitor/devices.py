"""The receiver's in-memory copy of the device registry (MN → what to check and how).

Loaded from the database by the writer thread (at start and every
``ZHUJIAN_HJ212_RELOAD_SECONDS``) and swapped in whole, so the event loop never touches
the database: a packet is checked against a dict.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.utils import timezone

from zhujian.domains.construction.models import SiteDevice
from zhujian.domains.construction.models.smartsite import DUST_FACTORS
from zhujian.domains.sitemonitor.models import (
    FACTOR_COLUMNS,
    Alarm,
    CrcVariant,
    DeviceProtocol,
    DeviceSeen,
    parse_units,
)


@dataclass(frozen=True, slots=True)
class DeviceConfig:
    id: int
    mn: str
    project_id: int
    password: str
    modbus: bool
    # factor → (Reading column, scale to the standard unit)
    factors: dict[str, tuple[str, float]] = field(default_factory=dict)


@dataclass(slots=True)
class Snapshot:
    """What the receiver starts from: devices, their last-seen times and open alarms."""

    devices: dict[str, DeviceConfig]
    last_seen: dict[int, dt.datetime]
    open_alarms: dict[tuple[int, str, str], int]  # (device, kind, factor) → alarm id


def _factors(unit: str, overrides: str) -> dict[str, tuple[str, float]]:
    units, _ = parse_units(overrides)
    factors = {}
    for code, column in FACTOR_COLUMNS.items():
        scale = 1.0
        if code in DUST_FACTORS and units.get(code, unit) == "ug":
            scale = 0.001
        factors[code] = (column, scale)
    return factors


def load_devices(as_of: dt.date | None = None) -> dict[str, DeviceConfig]:
    """Enabled devices with an MN that are installed and not removed on ``as_of``.

    Plain rows, not model instances, and one factor table per distinct unit setting: the
    writer thread re-reads tens of thousands of devices without starving the event loop.
    """
    day = as_of or timezone.localdate()
    rows = (
        DeviceProtocol.objects.filter(enabled=True, device__installed_on__lte=day)
        .filter(Q(device__removed_on__isnull=True) | Q(device__removed_on__gt=day))
        .exclude(device__mn="")
        .values_list(
            "device_id",
            "device__mn",
            "device__project_id",
            "password",
            "crc",
            "device__concentration_unit",
            "factor_units",
        )
    )
    tables: dict[tuple[str, str], dict[str, tuple[str, float]]] = {}
    devices = {}
    for device_id, mn, project_id, password, crc, unit, overrides in rows.iterator(2000):
        factors = tables.get((unit, overrides))
        if factors is None:
            factors = tables[unit, overrides] = _factors(unit, overrides)
        devices[mn] = DeviceConfig(
            device_id, mn, project_id, password, crc == CrcVariant.MODBUS, factors
        )
    return devices


def registry_version() -> tuple[object, ...]:
    """Changes whenever a device or its settings change (or the day turns, which may
    install or remove devices): the receiver reloads only then."""
    protocols = DeviceProtocol.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    devices = SiteDevice.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return (timezone.localdate(), *protocols.values(), *devices.values())


def load_snapshot() -> Snapshot:
    devices = load_devices()
    ids = {d.id for d in devices.values()}
    seen = {
        device_id: at
        for device_id, at in DeviceSeen.objects.values_list("device_id", "last_seen_at")
        if device_id in ids
    }
    alarms = {
        (device_id, kind, factor): pk
        for pk, device_id, kind, factor in Alarm.objects.filter(
            cleared_at__isnull=True
        ).values_list("pk", "device_id", "kind", "factor")
    }
    return Snapshot(devices, seen, alarms)
