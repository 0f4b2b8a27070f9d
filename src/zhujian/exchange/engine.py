"""Sending: queue the versions that changed, claim them with a lease, send, read receipts.

One run (:func:`run`, the background job and ``zhujian exchange send``) does, per target:

1. :func:`scan`: every record the adapter sends whose ``updated_at`` moved since it was
   last compared is mapped again; a new digest queues a new version (an *update* once the
   platform has the record, an *add* before), superseding versions still waiting. A record
   deleted here queues a deletion where the target takes them.
2. :func:`recover`: rows left ``sending`` by a sender whose lease ran out become
   ``doubt``; the platform is asked (:meth:`Adapter.reconcile`) whether each arrived: if
   so it is recorded as sent with the platform's identifiers, else it is queued again. So a
   killed worker loses nothing and sends nothing twice.
3. Receipts of submitted rows are polled; then due queued rows are claimed (a conditional
   UPDATE: two senders never take one row), lowest order first (projects before teams
   before workers …), grouped into requests as the adapter allows, sent at the target's
   rate, and their results written in one transaction per request.

A link failure requeues the rows with a growing delay (:meth:`Adapter.backoff_s`) until
:meth:`Adapter.max_attempts`; a refusal fails the row with the platform's reason, which
then appears on the record's page, in the 上报 list and in the responsible unit's 待办.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import socket
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from zhujian.exchange.adapters import (
    Adapter,
    InDoubt,
    Item,
    Kind,
    NotConfigured,
    Result,
    Unreachable,
    adapters,
)
from zhujian.exchange.models import Outbox, Upload

logger = logging.getLogger("zhujian.exchange")

S = Outbox.State
ACTIVE = (S.QUEUED, S.SENDING, S.DOUBT, S.SUBMITTED)
#: A test (or an operator's drill) sets this to stop a sender between sending a request
#: and recording its reply: the worst moment for a crash.
crash_hook: Callable[[str], None] | None = None


@dataclass
class Stats:
    queued: int = 0
    sent: int = 0
    requests: int = 0
    done: int = 0
    failed: int = 0
    retried: int = 0
    reconciled: int = 0
    seconds_mapping: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "extra"} | self.extra


def digest(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def worker_label() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def _label(record: models.Model) -> str:
    return str(record)[:200]


def _line(record: models.Model) -> str:
    from zhujian.core.registry import registry

    ledger = registry.find(type(record))
    return ledger.line if ledger else ""


# --- 1. queue what changed ------------------------------------------------------------------


def scan(adapter: Adapter, stats: Stats | None = None) -> int:
    """Queue a version of every record that changed since last compared; returns how many."""
    stats = stats or Stats()
    queued = 0
    for kind in adapter.kinds:
        queued += _scan_kind(adapter, kind, stats)
    stats.queued += queued
    return queued


def _scan_kind(adapter: Adapter, kind: Kind, stats: Stats) -> int:
    ctype = ContentType.objects.get_for_model(kind.model)
    known = {
        u.object_id: u
        for u in Upload.objects.filter(target=adapter.code, kind=kind.code).only(
            "id", "object_id", "seen_at", "digest", "sent_digest", "version", "deleted", "state"
        )
    }
    new_uploads: list[Upload] = []
    changed: list[Upload] = []
    present: set[int] = set()
    started = time.perf_counter()
    for record in kind.records().iterator(chunk_size=2000):
        present.add(record.pk)
        upload = known.get(record.pk)
        stamp = getattr(record, "updated_at", None)
        if upload is not None and stamp is not None and upload.seen_at and stamp <= upload.seen_at:
            continue
        value = digest(adapter.payload(kind, record))
        if upload is None:
            new_uploads.append(
                Upload(
                    target=adapter.code,
                    kind=kind.code,
                    content_type=ctype,
                    object_id=record.pk,
                    org_unit_id=record.org_unit_id,
                    line=_line(record),
                    label=_label(record),
                    seen_at=stamp,
                    digest=value,
                    version=1,
                )
            )
            continue
        upload.seen_at = stamp
        if value != upload.digest or upload.deleted:
            upload.digest = value
            upload.version += 1
            upload.deleted = False
            upload.label = _label(record)
            upload.state = Upload.State.PENDING
            changed.append(upload)
        else:
            changed.append(upload)  # only seen_at moved
    stats.seconds_mapping += time.perf_counter() - started
    gone = [u for pk, u in known.items() if pk not in present and not u.deleted]
    with transaction.atomic():
        created = Upload.objects.bulk_create(new_uploads, batch_size=2000)
        if any(u.pk is None for u in created):  # a backend without RETURNING
            ids = dict(
                Upload.objects.filter(
                    target=adapter.code,
                    kind=kind.code,
                    object_id__in=[u.object_id for u in created],
                ).values_list("object_id", "pk")
            )
            for u in created:
                u.pk = ids[u.object_id]
        rows = [_outbox(adapter, kind, u, Outbox.Action.ADD) for u in created]
        real = [u for u in changed if u.state == Upload.State.PENDING]
        Upload.objects.bulk_update(
            changed, ["seen_at", "digest", "version", "deleted", "label", "state"], batch_size=2000
        )
        if real:
            Outbox.objects.filter(upload_id__in=[u.pk for u in real], state=S.QUEUED).update(
                state=S.SUPERSEDED
            )
            rows += [_outbox(adapter, kind, u, _action(u)) for u in real]
        if kind.deletes and gone:
            for u in gone:
                u.deleted = True
                u.version += 1
                u.state = Upload.State.PENDING
            Upload.objects.bulk_update(gone, ["deleted", "version", "state"], batch_size=2000)
            Outbox.objects.filter(upload__in=gone, state=S.QUEUED).update(state=S.SUPERSEDED)
            rows += [_outbox(adapter, kind, u, Outbox.Action.DELETE) for u in gone if u.sent_digest]
            Upload.objects.filter(pk__in=[u.pk for u in gone], sent_digest="").update(
                state=Upload.State.OK, reason="本地记录已删除，平台上没有该记录，无需上报"
            )
        Outbox.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _action(upload: Upload) -> str:
    return Outbox.Action.UPDATE if upload.sent_digest else Outbox.Action.ADD


def _outbox(adapter: Adapter, kind: Kind, upload: Upload, action: str) -> Outbox:
    return Outbox(
        upload_id=upload.pk,
        target=adapter.code,
        kind=kind.code,
        order=kind.order,
        version=upload.version,
        action=action,
        digest=upload.digest,
    )


# --- 2. rows a dead sender left -----------------------------------------------------------------


def recover(adapter: Adapter, stats: Stats | None = None, now: dt.datetime | None = None) -> int:
    """Rows whose lease ran out become ``doubt`` and are reconciled with the platform."""
    stats = stats or Stats()
    now = now or timezone.now()
    Outbox.objects.filter(target=adapter.code, state=S.SENDING, lease_until__lt=now).update(
        state=S.DOUBT, claimed_by=""
    )
    count = 0
    for row in Outbox.objects.filter(target=adapter.code, state=S.DOUBT).select_related("upload"):
        kind = adapter.kind(row.kind)
        item = _item(kind, row)
        if item is None:
            continue
        try:
            found = adapter.reconcile(kind, item)
        except (Unreachable, InDoubt, NotConfigured) as exc:
            logger.warning("%s: cannot reconcile row %s yet: %s", adapter.code, row.pk, exc)
            continue
        if found is None:
            # The platform does not have it: sending it again cannot duplicate it.
            row.state, row.next_try_at = S.QUEUED, None
            row.save(update_fields=["state", "next_try_at"])
        else:
            _apply(adapter, item, found, now)
            stats.reconciled += 1
        count += 1
    return count


def _item(kind: Kind, row: Outbox) -> Item | None:
    upload = row.upload
    if row.action == Outbox.Action.DELETE:
        return Item(row, upload, kind.model(pk=upload.object_id), {})
    record = kind.records().filter(pk=upload.object_id).first()
    if record is None:  # deleted meanwhile: the scan queues the deletion
        row.state, row.reason = S.SUPERSEDED, "记录已删除"
        row.save(update_fields=["state", "reason"])
        return None
    return Item(row, upload, record, {})


# --- 3. send ----------------------------------------------------------------------------------


def _blocked_orders(adapter: Adapter, now: dt.datetime) -> int | None:
    """The lowest order with rows still in flight or due: higher orders wait for it."""
    active = Outbox.objects.filter(target=adapter.code, state__in=ACTIVE)
    low = active.order_by("order").values_list("order", flat=True).first()
    return low


def claim(adapter: Adapter, worker: str, limit: int, now: dt.datetime) -> list[Outbox]:
    """Take up to ``limit`` due queued rows of the lowest order still open; an earlier
    version of the same record still in flight holds a later one back."""
    low = _blocked_orders(adapter, now)
    if low is None:
        return []
    earlier = Outbox.objects.filter(
        upload_id=OuterRef("upload_id"),
        version__lt=OuterRef("version"),
        state__in=(S.SENDING, S.DOUBT, S.SUBMITTED),
    )
    due = (
        Outbox.objects.filter(target=adapter.code, state=S.QUEUED, order=low)
        .filter(Q(next_try_at__isnull=True) | Q(next_try_at__lte=now))
        .filter(~Exists(earlier))
        .order_by("pk")
    )
    ids = list(due.values_list("pk", flat=True)[:limit])
    if not ids:
        return []
    lease = now + dt.timedelta(seconds=adapter.lease_s)
    Outbox.objects.filter(pk__in=ids, state=S.QUEUED).update(
        state=S.SENDING, claimed_by=worker, lease_until=lease, attempts=F("attempts") + 1
    )
    return list(
        Outbox.objects.filter(pk__in=ids, state=S.SENDING, claimed_by=worker)
        .select_related("upload")
        .order_by("pk")
    )


def run(
    target: str,
    *,
    worker: str = "",
    max_seconds: float = 600.0,
    batch_rows: int = 2000,
    wait_receipts: bool = True,
    now: Callable[[], dt.datetime] = timezone.now,
) -> Stats:
    """Scan, recover, send and poll ``target`` until nothing is due (or time is up)."""
    adapter = adapters.get(target)
    worker = worker or worker_label()
    stats = Stats()
    adapter.begin()
    scan(adapter, stats)
    recover(adapter, stats, now())
    started = time.monotonic()
    last_request = [0.0]
    while time.monotonic() - started < max_seconds:
        progressed = _poll(adapter, stats, now(), last_request)
        rows = claim(adapter, worker, batch_rows, now())
        if rows:
            _send(adapter, rows, stats, now, last_request)
            continue
        waiting = Outbox.objects.filter(target=adapter.code, state=S.SUBMITTED).exists()
        if waiting and wait_receipts:
            if not progressed:
                time.sleep(min(adapter.poll_s, 1.0))
            continue
        break
    return stats


def _pace(adapter: Adapter, last_request: list[float]) -> None:
    rate = adapter.rate_per_s()
    if rate > 0:
        gap = 1.0 / rate - (time.monotonic() - last_request[0])
        if gap > 0:
            time.sleep(gap)
    last_request[0] = time.monotonic()


def _send(
    adapter: Adapter,
    rows: list[Outbox],
    stats: Stats,
    now: Callable[[], dt.datetime],
    last_request: list[float],
) -> None:
    by_kind: dict[str, list[Outbox]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    for code, kind_rows in by_kind.items():
        kind = adapter.kind(code)
        records = {
            r.pk: r
            for r in kind.records().filter(pk__in=[row.upload.object_id for row in kind_rows])
        }
        groups: dict[Any, list[Item]] = defaultdict(list)
        started = time.perf_counter()
        for row in kind_rows:
            if row.upload.sent_digest and row.action == Outbox.Action.ADD:
                row.action = Outbox.Action.UPDATE  # the platform has it since this was queued
            if row.action == Outbox.Action.DELETE:
                item = Item(row, row.upload, kind.model(pk=row.upload.object_id), {})
            else:
                record = records.get(row.upload.object_id)
                if record is None:
                    _finish(row, S.SUPERSEDED, "记录已删除", now())
                    continue
                payload = adapter.payload(kind, record)
                row.digest = digest(payload)
                item = Item(row, row.upload, record, payload)
            why = adapter.ready(kind, item)
            if why:
                _apply(adapter, item, Result(S.FAILED, why), now())
                stats.failed += 1
                continue
            key = (row.action, kind.group(item.record) if kind.group else row.pk)
            groups[key].append(item)
        stats.seconds_mapping += time.perf_counter() - started
        for items in groups.values():
            size = adapter.batch_of(kind)
            for start in range(0, len(items), size):
                _send_batch(adapter, kind, items[start : start + size], stats, now, last_request)


def _send_batch(
    adapter: Adapter,
    kind: Kind,
    items: list[Item],
    stats: Stats,
    now: Callable[[], dt.datetime],
    last_request: list[float],
) -> None:
    _pace(adapter, last_request)
    stats.requests += 1
    try:
        results = adapter.send(kind, items)
    except Unreachable as exc:
        _requeue(adapter, items, str(exc), stats, now())
        return
    except InDoubt as exc:
        with transaction.atomic():
            for item in items:
                item.outbox.state, item.outbox.reason = S.DOUBT, str(exc)[:300]
                item.outbox.save(update_fields=["state", "reason"])
        return
    except NotConfigured as exc:
        with transaction.atomic():
            for item in items:
                _apply(adapter, item, Result(S.FAILED, str(exc)), now())
        stats.failed += len(items)
        return
    if crash_hook is not None:
        crash_hook(kind.code)
    stats.sent += len(items)
    at = now()
    with transaction.atomic():
        retry, pairs = [], []
        for item in items:
            result = results.get(item.outbox.pk) or Result("retry", "平台未返回该条记录的结果")
            if result.state == "retry":
                retry.append((item, result.reason))
                continue
            item.outbox.sent_at = at
            pairs.append((item, result))
            if result.state == S.DONE:
                stats.done += 1
            elif result.state == S.FAILED:
                stats.failed += 1
        _apply_many(adapter, pairs, at)
        for item, reason in retry:
            _requeue(adapter, [item], reason, stats, at)


def _requeue(
    adapter: Adapter, items: list[Item], reason: str, stats: Stats, at: dt.datetime
) -> None:
    for item in items:
        row = item.outbox
        if row.attempts >= adapter.max_attempts():
            _apply(
                adapter,
                item,
                Result(S.FAILED, f"已尝试发送{row.attempts}次均未成功：{reason}"),
                at,
            )
            stats.failed += 1
            continue
        row.state = S.QUEUED
        row.reason = reason[:300]
        row.claimed_by = ""
        row.next_try_at = at + dt.timedelta(seconds=adapter.backoff_s(row.attempts))
        row.save(update_fields=["state", "reason", "claimed_by", "next_try_at"])
        stats.retried += 1


def _finish(row: Outbox, state: str, reason: str, at: dt.datetime) -> None:
    row.state, row.reason, row.done_at = state, reason[:2000], at
    row.save(update_fields=["state", "reason", "done_at"])


def _apply(adapter: Adapter, item: Item, result: Result, at: dt.datetime) -> None:
    """Write one row's result on its outbox row and its upload."""
    _apply_many(adapter, [(item, result)], at)


def _newer(pairs: list[tuple[Item, Result]]) -> set[int]:
    """Outbox ids of ``pairs`` whose record has a later version still to send."""
    latest: dict[int, int] = {}
    ids = list({item.upload.pk for item, _r in pairs})
    for start in range(0, len(ids), 900):
        for upload_id, version in Outbox.objects.filter(
            upload_id__in=ids[start : start + 900], state__in=ACTIVE
        ).values_list("upload_id", "version"):
            latest[upload_id] = max(version, latest.get(upload_id, 0))
    return {
        item.outbox.pk for item, _r in pairs if latest.get(item.upload.pk, 0) > item.outbox.version
    }


def _apply_many(adapter: Adapter, pairs: list[tuple[Item, Result]], at: dt.datetime) -> None:
    """Write the results of several rows: their outbox rows and uploads, in bulk."""
    if not pairs:
        return
    newer = _newer(pairs)
    rows, uploads = [], []
    for item, result in pairs:
        row, upload = item.outbox, item.upload
        row.state = result.state
        row.reason = result.reason[:2000]
        if result.serial_code:
            row.serial_code = result.serial_code
        if result.state in (S.DONE, S.FAILED):
            row.done_at = at
        if result.upstream_id:
            upload.upstream_id = result.upstream_id
        if result.upstream:
            upload.upstream = {**(upload.upstream or {}), **result.upstream}
        if result.state == S.DONE:
            upload.sent_digest = row.digest if row.action != Outbox.Action.DELETE else ""
            upload.succeeded_at = at
            upload.reason = ""
            upload.state = Upload.State.PENDING if row.pk in newer else Upload.State.OK
            if row.action == Outbox.Action.DELETE:
                upload.upstream_id = ""
        elif result.state == S.FAILED:
            upload.state = Upload.State.FAILED
            upload.reason = adapter.explain(result.reason)
        elif result.state == S.SUBMITTED:
            upload.state = Upload.State.SUBMITTED
            upload.reason = ""
        upload.updated_at = at
        rows.append(row)
        uploads.append(upload)
    Outbox.objects.bulk_update(
        rows,
        ["state", "reason", "serial_code", "done_at", "sent_at", "digest", "action", "claimed_by"],
        batch_size=500,
    )
    Upload.objects.bulk_update(
        uploads,
        ["state", "reason", "upstream_id", "upstream", "sent_digest", "succeeded_at", "updated_at"],
        batch_size=500,
    )


def _poll(adapter: Adapter, stats: Stats, at: dt.datetime, last_request: list[float]) -> bool:
    """Read the receipts of submitted rows not polled for ``poll_s``; True if any settled."""
    rows = list(
        Outbox.objects.filter(target=adapter.code, state=S.SUBMITTED)
        .filter(Q(next_try_at__isnull=True) | Q(next_try_at__lte=at))
        .select_related("upload")
        .order_by("pk")[:5000]
    )
    settled = False
    by_serial: dict[str, list[Outbox]] = defaultdict(list)
    for row in rows:
        by_serial[row.serial_code].append(row)
    for serial, group in by_serial.items():
        kind = adapter.kind(group[0].kind)
        items = [Item(row, row.upload, kind.model(pk=row.upload.object_id), {}) for row in group]
        _pace(adapter, last_request)
        try:
            results = adapter.poll(kind, items)
        except (Unreachable, InDoubt) as exc:
            logger.warning("%s: receipt %s not read: %s", adapter.code, serial, exc)
            results = {}
        with transaction.atomic():
            pairs, later = [], []
            for item in items:
                result = results.get(item.outbox.pk)
                if result is None:
                    later.append(item.outbox.pk)
                    continue
                if result.state == "retry":
                    _requeue(adapter, [item], result.reason, stats, at)
                    continue
                pairs.append((item, result))
                settled = True
                if result.state == S.DONE:
                    stats.done += 1
                elif result.state == S.FAILED:
                    stats.failed += 1
            _apply_many(adapter, pairs, at)
            Outbox.objects.filter(pk__in=later).update(
                next_try_at=at + dt.timedelta(seconds=adapter.poll_s)
            )
    return settled


# --- the people's side: retry ----------------------------------------------------------------


def retry(upload: Upload) -> bool:
    """Queue a failed upload again (its latest version); False if it is not failed."""
    if upload.state != Upload.State.FAILED:
        return False
    with transaction.atomic():
        last = upload.outbox.order_by("-version").first()
        if last is None or last.state not in (S.FAILED, S.SUPERSEDED):
            return False
        Outbox.objects.filter(pk=last.pk).update(
            state=S.QUEUED, attempts=0, next_try_at=None, reason="", claimed_by=""
        )
        # the record may have changed since: compare it again on the next scan
        Upload.objects.filter(pk=upload.pk).update(
            state=Upload.State.PENDING, reason="", seen_at=None
        )
    return True
