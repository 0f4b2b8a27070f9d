"""Records and requests the LPG tests share: a device with a known token, cylinders in a
chosen state, and scans posted through the real API."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from zhujian.domains.lpg import rules
from zhujian.domains.lpg.models import Customer, Cylinder, ScanDevice, Station

DAY = dt.date(2022, 6, 15)
# Wide enough for scans of DAY uploaded today (see conftest.py).
LEGACY_UPLOAD_DELAY_DAYS = 36500
_ids = itertools.count(1)


def at(day: dt.date = DAY, hour: int = 9, minute: int = 0) -> str:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute)).isoformat()


def device_of(station: Station, kind: str = "terminal") -> tuple[ScanDevice, str]:
    """A device of ``station`` with a fresh token (returned in clear), issued before the
    scans of the tests (the demo's June 2022)."""
    device = ScanDevice.objects.filter(station=station, kind=kind).first()
    token = device.issue_token()
    device.token_issued_at = timezone.make_aware(dt.datetime(2021, 5, 20, 8, 0))
    device.save()
    return device, token


def own_cylinder(station: Station, **state: Any) -> Cylinder:
    """A YSP35.5 cylinder of the station's company, fit to fill on :data:`DAY` unless
    ``state`` says otherwise (fields set, then the due dates derived and saved, as a
    correction with a reason)."""
    cylinder = (
        Cylinder.objects.filter(
            company_id=station.company_id,
            spec="YSP35.5",
            status="in_use",
            next_inspection_due__gt=DAY,
            scrap_due__gt=DAY,
            registered_on__lt=DAY,
        )
        .order_by("pk")
        .first()
    )
    for name, value in state.items():
        setattr(cylinder, name, value)
    cylinder._change_reason = "测试：设定钢瓶状态"
    cylinder.save()
    return cylinder


def other_cylinder(station: Station) -> Cylinder:
    return (
        Cylinder.objects.exclude(company_id=station.company_id)
        .filter(
            status="in_use",
            next_inspection_due__gt=DAY,
            scrap_due__gt=DAY,
            registered_on__lt=DAY,  # a scan before its registration is not believed
        )
        .order_by("pk")
        .first()
    )


def customer(verified: bool = True, active: bool = True) -> Customer:
    c = Customer.objects.filter(verified=True, active=True).order_by("pk").first()
    c.verified, c.active = verified, active
    c.save()
    return c


def fill(code: str, when: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"t-{next(_ids)}",
        "kind": "fill",
        "code": code,
        "at": when or at(),
        "operator": "张伟",
        "weight_kg": "14.60",
        **extra,
    }


def scan(kind: str, code: str, when: str | None = None, **extra: Any) -> dict[str, Any]:
    event = {"id": f"t-{next(_ids)}", "kind": kind, "code": code, "at": when or at(), **extra}
    if kind == rules.ScanKind.DELIVER:
        event.setdefault("deliverer", "李强")
    return event


def post(client: Any, token: str, body: Any) -> Any:
    return client.post(
        "/api/lpg/scans/",
        body,
        content_type="application/json",
        headers={"Authorization": f"Device {token}"},
    )


def station() -> Station:
    """A station with devices, outside 城关街道."""
    return Station.objects.filter(active=True, devices__isnull=False).order_by("-pk").first()
