"""The receiver's in-memory copy of the device registry (MN → what to check and how).

Loaded from the database by the writer thread (at start and every
``ZHUJIAN_HJ212_RELOAD_SECONDS``) and swapped in whole, so the event loop never touches
the database: a packet is checked against a dict.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

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


def config_of(protocol: DeviceProtocol) -> DeviceConfig:
    device = protocol.device
    units, _ = parse_units(protocol.factor_units)
    factors = {}
    for code, column in FACTOR_COLUMNS.items():
        scale = 1.0
        if code in DUST_FACTORS and units.get(code, device.concentration_unit) == "ug":
            scale = 0.001
        factors[code] = (column, scale)
    return DeviceConfig(
        id=device.pk,
        mn=device.mn,
        project_id=device.project_id,
        password=protocol.password,
        modbus=protocol.crc == CrcVariant.MODBUS,
        factors=factors,
    )


def load_devices(as_of: dt.date | None = None) -> dict[str, DeviceConfig]:
    """Enabled devices with an MN that are installed and not removed on ``as_of``."""
    day = as_of or timezone.localdate()
    protocols = (
        DeviceProtocol.objects.filter(enabled=True, device__installed_on__lte=day)
        .filter(Q(device__removed_on__isnull=True) | Q(device__removed_on__gt=day))
        .exclude(device__mn="")
        .select_related("device")
    )
    return {p.device.mn: config_of(p) for p in protocols}


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
