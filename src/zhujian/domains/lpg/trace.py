"""A cylinder's whole life, and a user's cylinders, in time order (追溯).

Everything is read through the viewer's scope: a township user sees the scans made in
its township, whatever cylinder they concern.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from zhujian.core import scope
from zhujian.core.models import User
from zhujian.domains.lpg.models import Customer, Cylinder, CylinderInspection, ScanEvent
from zhujian.domains.lpg.rules import ScanKind, ScanStatus


@dataclass
class Step:
    """One line of a trace."""

    day: dt.date
    time: dt.time | None
    what: str
    detail: str
    place: str = ""
    refused: bool = False
    reason: str = ""
    url: str = ""
    order: tuple[Any, ...] = ()

    @property
    def when(self) -> str:
        return f"{self.day:%Y-%m-%d}" + (f" {self.time:%H:%M:%S}" if self.time else "")


def scans_of_cylinder(cylinder: Cylinder, user: User | None = None) -> QuerySet[ScanEvent]:
    """The cylinder's scans in scan order (uses the (cylinder, scanned_at) index)."""
    qs = ScanEvent.objects.filter(cylinder=cylinder)
    if user is not None:
        qs = scope.restrict(qs, user)
    return qs.select_related("station", "device", "customer").order_by("scanned_at", "pk")


def cylinder_trace(cylinder: Cylinder, user: User | None = None) -> list[Step]:
    """Registration, periodic inspections and every scan, oldest first. An inspection has a
    date only: it comes before the scans of its day (a cylinder is usually filled on the
    day it comes back from inspection)."""
    steps = [
        Step(
            cylinder.manufactured_on,
            None,
            "制造",
            f"{cylinder.maker} 出厂编号 {cylinder.serial_number or '—'}，{cylinder.get_spec_display()}",
            order=(cylinder.manufactured_on, 0, 0),
        ),
        Step(
            cylinder.registered_on,
            None,
            "建档",
            f"产权单位 {cylinder.company}",
            order=(cylinder.registered_on, 1, 0),
        ),
    ]
    inspections = CylinderInspection.objects.filter(cylinder=cylinder)
    if user is not None:
        inspections = scope.restrict(inspections, user)
    for record in inspections.order_by("inspected_on", "pk"):
        failed = record.failed_items
        steps.append(
            Step(
                record.inspected_on,
                None,
                f"定期检验（{record.get_result_display()}）",
                f"{record.body} 报告 {record.report_number or '—'}"
                + (f"；不合格项：{'、'.join(failed)}" if failed else "")
                + (f"；下次检验 {record.next_due:%Y-%m-%d}" if record.next_due else ""),
                refused=record.result != "passed",
                url=record.get_absolute_url(),
                order=(record.inspected_on, 2, record.pk),
            )
        )
    for scan in scans_of_cylinder(cylinder, user):
        steps.append(_scan_step(scan))
    if cylinder.scrapped_on and not any(s.what.startswith("报废") for s in steps):
        steps.append(
            Step(
                cylinder.scrapped_on,
                None,
                cylinder.get_status_display(),
                "登记为报废或注销",
                order=(cylinder.scrapped_on, 9, 0),
            )
        )
    return sorted(steps, key=lambda s: s.order)


def _scan_step(scan: ScanEvent) -> Step:
    local = timezone.localtime(scan.scanned_at)
    parts = [f"设备 {scan.device.code}"]
    if scan.operator:
        parts.append(f"操作 {scan.operator}")
    if scan.weight_kg is not None:
        parts.append(f"{scan.weight_kg} kg")
    if scan.customer_code:
        parts.append(f"用户 {scan.customer_code}")
    if scan.deliverer:
        parts.append(f"配送 {scan.deliverer}")
    return Step(
        local.date(),
        local.time(),
        scan.get_kind_display() + ("（拒绝）" if scan.status == ScanStatus.REFUSED else ""),
        "，".join(parts),
        place=scan.station.name,
        refused=scan.status == ScanStatus.REFUSED,
        reason=scan.message,
        url=scan.get_absolute_url(),
        order=(local.date(), 3, local.time(), scan.pk),
    )


def customer_scans(customer: Customer, user: User | None = None) -> QuerySet[ScanEvent]:
    qs = ScanEvent.objects.filter(customer=customer)
    if user is not None:
        qs = scope.restrict(qs, user)
    return qs.select_related("station", "device", "cylinder").order_by("scanned_at", "pk")


def in_hand(customer: Customer) -> QuerySet[Cylinder]:
    """Cylinders whose last accepted scan is a delivery to ``customer``."""
    last = ScanEvent.objects.filter(cylinder=OuterRef("pk"), status=ScanStatus.ACCEPTED).order_by(
        "-scanned_at", "-pk"
    )
    delivered = ScanEvent.objects.filter(
        customer=customer, kind=ScanKind.DELIVER, status=ScanStatus.ACCEPTED
    ).values("cylinder")
    return (
        Cylinder.objects.filter(pk__in=delivered)
        .annotate(
            last_kind=Subquery(last.values("kind")[:1]),
            last_customer=Subquery(last.values("customer")[:1]),
            last_at=Subquery(last.values("scanned_at")[:1]),
        )
        .filter(last_kind=ScanKind.DELIVER, last_customer=customer.pk)
        .order_by("code")
    )
