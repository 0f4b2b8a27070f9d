"""Scan ingestion: what ``POST /api/lpg/scans/`` does with a device's batch.

Per batch, not per event: one query finds the ids already recorded for the device (a
re-sent batch is answered from them, nothing counted twice), one loads the batch's
cylinders by code, one its users; the rules (:func:`rules.check`) run in Python in scan
order, so a cylinder scrapped early in a batch is refused later in the same batch; then
every valid event of the batch is written in one transaction (multi-row insert, with
their audit rows) together with the cylinder states they change.

Bad events never reach the database: each gets its own error and the good ones are
kept. If the batch write meets a uniqueness conflict (another upload of the same ids
landed meanwhile) it is redone event by event, each in its own savepoint, so every event
is either whole (its row, its history, its cylinder change) or absent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from simple_history.utils import bulk_update_with_history

from zhujian.core import bounds
from zhujian.domains.lpg import conf, rules
from zhujian.domains.lpg.models import Customer, Cylinder, ScanDevice, ScanEvent, Station
from zhujian.domains.lpg.rules import CylinderStatus, Reason, ScanKind, ScanStatus
from zhujian.domains.lpg.validators import validate_cylinder_code
from zhujian.imports.bulk import insert_with_history

CLIENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
FIELDS = {
    "id",
    "kind",
    "code",
    "at",
    "station",
    "operator",
    "weight_kg",
    "customer",
    "deliverer",
    "note",
}
TEXT_LIMITS = {"operator": 50, "deliverer": 50, "customer": 20, "note": 200, "station": 20}
# Model field → API field, for the model's own rules (ScanEvent.clean).
API_NAME = {"customer_code": "customer"}
CYLINDER_FIELDS = (
    "id",
    "code",
    "company_id",
    "status",
    "scrapped_on",
    "scrap_due",
    "next_inspection_due",
    "spec",
    "manufactured_on",
    "registered_on",
)

ACCEPTED, REFUSED, DUPLICATE, ERROR = "accepted", "refused", "duplicate", "error"


@dataclass
class Outcome:
    """What happened to one event of a batch."""

    index: int
    id: str | None
    status: str
    reason: str = ""
    message: str = ""
    event: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "id": self.id, "status": self.status}
        if self.event is not None:
            out["event"] = self.event
        if self.reason:
            out["reason"] = self.reason
        if self.message:
            out["message"] = self.message
        if self.errors:
            out["errors"] = self.errors
        return out


@dataclass
class Result:
    outcomes: list[Outcome]
    hazard: str | None = None  # the code of a hazard this batch opened

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": len(self.outcomes),
            "accepted": self.count(ACCEPTED),
            "refused": self.count(REFUSED),
            "duplicates": self.count(DUPLICATE),
            "errors": self.count(ERROR),
            "hazard": self.hazard,
            "results": [o.as_dict() for o in self.outcomes],
        }


@dataclass(slots=True)
class CylinderState:
    """What the rules read of a cylinder (loaded as plain tuples: no model instances)."""

    pk: int
    code: str
    company_id: int
    status: str
    scrapped_on: dt.date | None
    scrap_due: dt.date | None
    next_inspection_due: dt.date | None
    spec: str
    manufactured_on: dt.date
    registered_on: dt.date
    moved_by: ScanEvent | None = None


@dataclass(slots=True)
class CustomerState:
    pk: int
    code: str
    verified: bool
    active: bool


class BatchError(ValueError):
    """The whole upload is unusable (not a list, too many events); Chinese message."""


def ingest(device: ScanDevice, payload: Any, *, now: dt.datetime | None = None) -> Result:
    """Record a device's scans (a list of event objects, or one object); see module doc."""
    events = payload if isinstance(payload, list) else [payload]
    limit = conf.batch_max_events()
    if not events:
        raise BatchError("没有扫码记录")
    if len(events) > limit:
        raise BatchError(f"一批最多上传 {limit} 条扫码记录，本批 {len(events)} 条，请分批上传")
    now = now or timezone.now()
    station = device.station
    outcomes: list[Outcome | None] = [None] * len(events)
    parsed: list[ScanEvent] = []
    other_stations = _other_station_codes(events, station)
    for index, raw in enumerate(events):
        result = _parse(index, raw, device, station, now, other_stations)
        if isinstance(result, Outcome):
            outcomes[index] = result
        else:
            parsed.append(result)

    # Re-sent events: answered from what was recorded, never counted twice.
    seen = dict(
        (cid, (pk, status, reason, message))
        for cid, pk, status, reason, message in ScanEvent.objects.filter(
            device=device, client_event_id__in=[e.client_event_id for e in parsed]
        ).values_list("client_event_id", "pk", "status", "reason", "message")
    )
    fresh: list[ScanEvent] = []
    first_of: dict[str, int] = {}
    for event in parsed:
        cid = event.client_event_id
        if cid in seen:
            pk, status, reason, message = seen[cid]
            outcomes[event._index] = _duplicate(event._index, cid, pk, status, reason, message)
        elif cid in first_of:
            outcomes[event._index] = Outcome(
                event._index, cid, DUPLICATE, message=f"与本批第 {first_of[cid] + 1} 条流水号相同"
            )
        else:
            first_of[cid] = event._index
            fresh.append(event)

    changed = _judge(fresh, station, outcomes)
    fresh = [e for e in fresh if outcomes[e._index] is None]
    _write(fresh, changed, device, outcomes)
    for index, outcome in enumerate(outcomes):  # in-batch duplicates point at the first
        if outcome is not None and outcome.status == DUPLICATE and outcome.event is None:
            first = outcomes[first_of.get(outcome.id or "", index)]
            if first is not None and first is not outcome:
                outcome.event, outcome.reason = first.event, first.reason
    ScanDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
    hazard = None
    refused = [e for e in fresh if e.pk and e.status == ScanStatus.REFUSED]
    if refused:
        from zhujian.domains.lpg.hazards import check_station

        hazard = check_station(station, max(e.scanned_at for e in refused))
    return Result([o for o in outcomes if o is not None], hazard)


def _duplicate(index: int, cid: str, pk: int, status: str, reason: str, message: str) -> Outcome:
    return Outcome(
        index,
        cid,
        DUPLICATE,
        reason=reason,
        message=f"该流水号已上传（当时结果：{ScanStatus(status).label}）{'：' + message if message else ''}",
        event=pk,
    )


def _other_station_codes(events: Sequence[Any], station: Station) -> set[str]:
    """Station codes the batch names that exist but are not the device's station."""
    named = {
        e["station"]
        for e in events
        if isinstance(e, dict) and isinstance(e.get("station"), str) and e["station"]
    }
    named.discard(station.code)
    if not named:
        return set()
    return set(Station.objects.filter(code__in=named).values_list("code", flat=True))


def _text(raw: dict[str, Any], name: str, errors: dict[str, list[str]]) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[name] = ["应为字符串"]
        return ""
    value = value.strip()
    if len(value) > TEXT_LIMITS[name]:
        errors[name] = [f"过长（最多 {TEXT_LIMITS[name]} 个字符）"]
        return ""
    return value


def _parse(
    index: int,
    raw: Any,
    device: ScanDevice,
    station: Station,
    now: dt.datetime,
    other_stations: set[str],
) -> ScanEvent | Outcome:
    """A ScanEvent ready to judge, or the event's errors (by API field name)."""
    if not isinstance(raw, dict):
        return Outcome(index, None, ERROR, errors={"event": ["每条扫码记录应为 JSON 对象"]})
    errors: dict[str, list[str]] = {}
    unknown = sorted(str(k)[:30] for k in raw if k not in FIELDS)
    if unknown:
        errors["event"] = [f"未知字段：{'、'.join(unknown[:5])}"]
    cid = raw.get("id")
    if not isinstance(cid, str) or not CLIENT_ID.match(cid):
        errors["id"] = ["流水号必填，应为1—64位字母、数字或 . _ : -"]
        cid = None
    kind = raw.get("kind")
    if kind not in ScanKind.values:
        errors["kind"] = [f"扫码类别应为：{'、'.join(ScanKind.values)}"]
    code = raw.get("code")
    if not isinstance(code, str):
        errors["code"] = ["钢瓶编码必填"]
    else:
        code = code.strip()
        try:
            validate_cylinder_code(code)
        except ValidationError as exc:
            errors["code"] = exc.messages
    scanned_at = _when(raw.get("at"), now, errors)
    if scanned_at is not None:
        problem = rules.claimed_time_error(
            scanned_at,
            received=now,
            token_issued_at=device.token_issued_at,
            max_delay_days=conf.max_upload_delay_days(),
        )
        if problem:
            errors["at"] = [problem]
    named = _text(raw, "station", errors)
    if named and named != station.code:
        errors["station"] = [
            f"本设备绑定站点 {station.code}，不能为站点 {named} 上传扫码记录"
            if named in other_stations
            else f"未知的站点编号：{named}"
        ]
    weight = _weight(raw.get("weight_kg"), errors)
    event = ScanEvent(
        device_id=device.pk,
        client_event_id=cid or "",
        station_id=station.pk,
        org_unit_id=station.org_unit_id,
        kind=kind or "",
        code=code if isinstance(code, str) else "",
        scanned_at=scanned_at,
        operator=_text(raw, "operator", errors),
        weight_kg=weight,
        customer_code=_text(raw, "customer", errors),
        deliverer=_text(raw, "deliverer", errors),
        note=_text(raw, "note", errors),
    )
    if not errors:
        try:
            event.clean()  # the model's own per-kind requirements
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(API_NAME.get(name, name), []).extend(messages)
    if errors:
        return Outcome(index, cid, ERROR, message="扫码记录有误，未保存", errors=errors)
    event._index = index
    return event


def _when(value: Any, now: dt.datetime, errors: dict[str, list[str]]) -> dt.datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        errors["at"] = ["扫码时间必填，ISO 8601 格式，如 2022-06-01T08:30:00+08:00"]
        return None
    try:
        moment = parse_datetime(value.strip())
    except ValueError:
        moment = None
    if moment is None:
        errors["at"] = ["扫码时间格式不正确，应为 ISO 8601，如 2022-06-01T08:30:00+08:00"]
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment.date() < bounds.DATE_MIN or moment.year < 2000:
        errors["at"] = ["扫码时间不能早于2000年"]
        return None
    if moment > now + dt.timedelta(minutes=conf.clock_skew_minutes()):
        errors["at"] = ["扫码时间晚于服务器当前时间，请校准设备时钟"]
        return None
    return moment


def _weight(value: Any, errors: dict[str, list[str]]) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors["weight_kg"] = ["应为数字（千克）"]
        return None
    try:
        number = bounds.to_decimal(value)
    except bounds.BoundsError as exc:
        errors["weight_kg"] = [str(exc)]
        return None
    if not 0 < number <= conf.max_fill_kg():
        errors["weight_kg"] = [f"充装重量应大于0且不超过 {conf.max_fill_kg()} 千克"]
        return None
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _judge(
    events: list[ScanEvent], station: Station, outcomes: list[Outcome | None]
) -> dict[int, CylinderState]:
    """Apply the rules in scan order; returns the cylinders whose state the batch changes.
    A scan claiming a time before its cylinder existed gets an error (and is not kept)."""
    if not events:
        return {}
    cylinders = {
        row[1]: CylinderState(*row)
        for row in Cylinder.objects.filter(code__in={e.code for e in events}).values_list(
            *CYLINDER_FIELDS
        )
    }
    codes = {e.customer_code for e in events if e.customer_code}
    customers = (
        {
            row[1]: CustomerState(*row)
            for row in Customer.objects.filter(code__in=codes).values_list(
                "id", "code", "verified", "active"
            )
        }
        if codes
        else {}
    )
    changed: dict[int, CylinderState] = {}
    for event in sorted(events, key=lambda e: (e.scanned_at, e._index)):
        event.scanned_on = timezone.localdate(event.scanned_at)
        cylinder = cylinders.get(event.code)
        if cylinder is not None and (
            problem := rules.claimed_time_error(
                event.scanned_at,
                received=event.scanned_at,
                cylinder_code=cylinder.code,
                manufactured_on=cylinder.manufactured_on,
                registered_on=cylinder.registered_on,
            )
        ):
            outcomes[event._index] = Outcome(
                event._index,
                event.client_event_id,
                ERROR,
                message="扫码记录有误，未保存",
                errors={"at": [problem]},
            )
            continue
        customer = customers.get(event.customer_code) if event.customer_code else None
        verdict = rules.check(
            event.kind,
            event.code,
            event.scanned_on,
            station.company_id,
            cylinder,
            customer,
            event.customer_code,
            weight_kg=event.weight_kg,
            licence_expires_on=station.licence_expires_on,
        )
        event.cylinder_id = cylinder.pk if cylinder else None
        event.customer_id = customer.pk if customer else None
        event.status, event.reason, event.message = (
            verdict.status,
            verdict.reason,
            verdict.message,
        )
        if cylinder is not None and _move(cylinder, event, verdict):
            changed[cylinder.pk] = cylinder
    return changed


def _move(cylinder: CylinderState, event: ScanEvent, verdict: rules.Verdict) -> bool:
    """The state a scan gives its cylinder; True when it changed."""
    if verdict.accepted and event.kind == ScanKind.INSPECT:
        target, day = CylinderStatus.INSPECTING, None
    elif verdict.accepted and event.kind == ScanKind.SCRAP:
        target, day = CylinderStatus.SCRAPPED, event.scanned_on
    elif verdict.reason == Reason.OVERDUE and cylinder.status == CylinderStatus.IN_USE:
        target, day = CylinderStatus.DUE, None  # withdrawn until inspected
    else:
        return False
    if cylinder.status == target:
        return False
    cylinder.status = target
    if day is not None:
        cylinder.scrapped_on = day
    cylinder.moved_by = event
    return True


def _write(
    events: list[ScanEvent],
    changed: dict[int, CylinderState],
    device: ScanDevice,
    outcomes: list[Outcome | None],
) -> None:
    reason = f"扫码上传（设备 {device.code}）"
    try:
        with transaction.atomic():
            insert_with_history(events, ScanEvent, change_reason=reason)
            _save_cylinders(list(changed.values()), reason)
    except Exception as exc:
        if not _is_conflict(exc):
            raise
        for event in events:
            event.pk = None
        _write_one_by_one(events, changed, device, outcomes, reason)
        return
    for event in events:
        outcomes[event._index] = _outcome(event)


def _write_one_by_one(
    events: list[ScanEvent],
    changed: dict[int, CylinderState],
    device: ScanDevice,
    outcomes: list[Outcome | None],
    reason: str,
) -> None:
    moved: dict[int, list[CylinderState]] = {}
    for cylinder in changed.values():
        moved.setdefault(cylinder.moved_by._index, []).append(cylinder)
    for event in events:
        try:
            with transaction.atomic():
                insert_with_history([event], ScanEvent, change_reason=reason)
                _save_cylinders(moved.get(event._index, []), reason)
        except Exception as exc:
            if not _is_conflict(exc):
                raise
            event.pk = None
            row = (
                ScanEvent.objects.filter(device=device, client_event_id=event.client_event_id)
                .values_list("pk", "status", "reason", "message")
                .first()
            )
            outcomes[event._index] = (
                _duplicate(event._index, event.client_event_id, *row)
                if row
                else Outcome(event._index, event.client_event_id, ERROR, message="保存失败，请重传")
            )
            continue
        outcomes[event._index] = _outcome(event)


def _outcome(event: ScanEvent) -> Outcome:
    status = ACCEPTED if event.status == ScanStatus.ACCEPTED else REFUSED
    return Outcome(
        event._index,
        event.client_event_id,
        status,
        reason=event.reason,
        message=event.message,
        event=event.pk,
    )


def _save_cylinders(cylinders: list[CylinderState], reason: str) -> None:
    if not cylinders:
        return
    whole = Cylinder.objects.in_bulk([c.pk for c in cylinders])
    rows = []
    for cylinder in cylinders:
        row = whole[cylinder.pk]
        row.status, row.scrapped_on = cylinder.status, cylinder.scrapped_on
        rows.append(row)
    bulk_update_with_history(
        rows,
        Cylinder,
        ["status", "scrapped_on"],
        batch_size=500,
        default_change_reason=reason,
    )


def _is_conflict(exc: BaseException) -> bool:
    """A uniqueness conflict (PostgreSQL's ``COPY`` errors arrive as Django's too)."""
    return isinstance(exc, IntegrityError)
