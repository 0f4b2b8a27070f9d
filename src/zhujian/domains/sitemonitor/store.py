"""The receiver's writer: rows queued by the event loop, written in batches.

The event loop acknowledges a packet once it is parsed and checked, and appends plain
tuples to the deques here (``deque.append`` is thread-safe); :meth:`Store.flush` — run
by the writer thread every ``ZHUJIAN_HJ212_FLUSH_SECONDS``, or by a test — takes what is
queued and writes it in one transaction: readings and raw packets with ``COPY`` on
PostgreSQL (``executemany`` elsewhere), last-seen times as one upsert, refusal counters,
and alarm events (which open hazards). A failed write is kept and retried with the next
batch, so a database restart loses nothing the receiver still holds.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter, deque
from collections.abc import Callable, Sequence
from typing import Any

from django.db import (
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.db.models import F

from zhujian.domains.sitemonitor.hazards import open_hazard_for
from zhujian.domains.sitemonitor.models import (
    Alarm,
    AlarmKind,
    DeviceSeen,
    RawPacket,
    Reading,
    Rejection,
)
from zhujian.domains.sitemonitor.supervision import OPEN, Event

logger = logging.getLogger("zhujian.hj212")

READING_COLUMNS = (
    "device_id",
    "project_id",
    "cn",
    "data_time",
    "received_at",
    "pm25",
    "pm10",
    "tsp",
    "noise",
    "temperature",
    "humidity",
    "pressure",
    "wind_speed",
    "wind_direction",
    "flags",
)
READING_ONCE = ("device_id", "cn", "data_time")  # the unique constraint reading_once
RAW_COLUMNS = ("received_at", "mn", "device_id", "peer", "accepted", "reason", "text")
_TIMES = {"data_time", "received_at"}


def insert_rows(
    model: Any,
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
    once: Sequence[str] = (),
) -> int:
    """Plain multi-row insert of ``rows`` into ``model``'s table (COPY on PostgreSQL);
    with ``once`` (the columns of a unique constraint) a row that is already there is
    skipped (ON CONFLICT DO NOTHING). Returns the number of rows inserted."""
    if not rows:
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    skip = (
        f" ON CONFLICT ({', '.join(connection.ops.quote_name(c) for c in once)}) DO NOTHING"
        if once
        else ""
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            target = table
            if once:  # COPY cannot skip conflicts: copy into a scratch table, then insert
                target = connection.ops.quote_name(f"hj212_in_{model._meta.db_table}")
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {target} ON COMMIT DELETE ROWS AS "
                    f"SELECT {names} FROM {table} WITH NO DATA"
                )
            # The raw psycopg cursor's errors, raised as Django's (DataError, …).
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            if not once:
                return len(rows)
            cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {target}{skip}")
            inserted = cursor.rowcount
            cursor.execute(f"DELETE FROM {target}")
            return inserted
        adapt = connection.ops.adapt_datetimefield_value
        times = [i for i, c in enumerate(columns) if c in _TIMES]
        if times:
            rows = [tuple(adapt(v) if i in times else v for i, v in enumerate(row)) for row in rows]
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks}){skip}", rows)
        return cursor.rowcount if cursor.rowcount >= 0 else len(rows)


def _take(queue: deque[Any]) -> list[Any]:
    out = []
    try:
        for _ in range(len(queue)):
            out.append(queue.popleft())
    except IndexError:
        pass
    return out


class Store:
    """Queues filled by the event loop; :meth:`flush` writes them."""

    def __init__(self, keep_raw: bool = True) -> None:
        self.keep_raw = keep_raw
        self.readings: deque[tuple[Any, ...]] = deque()
        self.raw: deque[tuple[Any, ...]] = deque()
        self.rejects: deque[tuple[str, int | None, str, dt.datetime, str, str]] = deque()
        self.seen: deque[tuple[int, dt.datetime, str]] = deque()
        self.events: deque[Event] = deque()
        self.written: Counter[str] = Counter()
        self._retry: dict[str, list[Any]] | None = None
        self._lock = threading.Lock()

    # --- the event loop's side -------------------------------------------------------

    def pending(self) -> int:
        return len(self.readings) + len(self.raw) + len(self.events) + len(self.rejects)

    # --- the writer's side -----------------------------------------------------------

    def flush(self) -> int:
        """Write everything queued so far; returns the number of rows written."""
        with self._lock:
            batch = self._retry or {}
            self._retry = None
            for name in ("readings", "raw", "rejects", "seen", "events"):
                batch.setdefault(name, []).extend(_take(getattr(self, name)))
            if not any(batch.values()):
                return 0
            try:
                with transaction.atomic():
                    self.written["duplicate_readings"] += self._write(batch)
            except (OperationalError, InterfaceError):
                # The database is away (restart, network): keep everything for the next try.
                logger.exception("writing a batch failed; it is kept and retried")
                self._retry = batch
                raise
            except Exception:
                # A row the database refuses (or that cannot even be converted for it)
                # would be refused on every retry and hold up every later batch: write
                # row by row, so only such a row is lost, counted and logged.
                logger.exception("a batch held a row that cannot be written; writing row by row")
                self._write_row_by_row(batch)
            done = len(batch["readings"]) + len(batch["raw"])
            self.written["readings"] += len(batch["readings"])
            self.written["raw"] += len(batch["raw"])
            self.written["events"] += len(batch["events"])
            return done

    def _write_row_by_row(self, batch: dict[str, list[Any]]) -> None:
        names = ("readings", "raw", "rejects", "seen", "events")
        for at, name in enumerate(names):
            kept = []
            for i, row in enumerate(batch[name]):
                one: dict[str, list[Any]] = {key: [] for key in names}
                one[name] = [row]
                try:
                    with transaction.atomic():
                        duplicates = self._write(one)
                except (OperationalError, InterfaceError):
                    # Gone mid-way: what is not written yet is kept for the next try.
                    rest = {key: [] for key in names}
                    rest[name] = batch[name][i:]
                    for later in names[at + 1 :]:
                        rest[later] = batch[later]
                    self._retry = rest
                    raise
                except Exception as exc:  # DatabaseError, or a value no backend can take
                    self.written["dropped"] += 1
                    self.written[f"dropped_{name}"] += 1
                    logger.error("dropped a %s row that cannot be written: %r (%r)", name, exc, row)
                else:
                    self.written["duplicate_readings"] += duplicates
                    kept.append(row)
            batch[name] = kept

    def _write(self, batch: dict[str, list[Any]]) -> int:
        """Write one batch; returns how many readings were already stored (re-sent)."""
        given = len(batch["readings"])
        stored = insert_rows(Reading, READING_COLUMNS, batch["readings"], once=READING_ONCE)
        if self.keep_raw:
            insert_rows(RawPacket, RAW_COLUMNS, batch["raw"])
        self._write_seen(batch["seen"])
        self._write_rejects(batch["rejects"])
        for event in batch["events"]:
            apply_event(event)
        return given - stored

    @staticmethod
    def _write_seen(seen: list[tuple[int, dt.datetime, str]]) -> None:
        """One upsert of each device's latest time (plain SQL both backends accept)."""
        latest: dict[int, tuple[dt.datetime, str]] = {}
        for device_id, at, peer in seen:
            latest[device_id] = (at, peer)
        if not latest:
            return
        table = connection.ops.quote_name(DeviceSeen._meta.db_table)
        adapt = (
            connection.ops.adapt_datetimefield_value
            if connection.vendor != "postgresql"
            else (lambda v: v)
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (device_id, last_seen_at, peer) VALUES (%s, %s, %s) "
                "ON CONFLICT (device_id) DO UPDATE SET last_seen_at = excluded.last_seen_at, "
                "peer = excluded.peer",
                [(k, adapt(at), peer) for k, (at, peer) in latest.items()],
            )

    @staticmethod
    def _write_rejects(rejects: list[tuple[str, int | None, str, dt.datetime, str, str]]) -> None:
        counts: Counter[tuple[str, str]] = Counter()
        last: dict[tuple[str, str], tuple[int | None, dt.datetime, str, str]] = {}
        for mn, device_id, reason, at, detail, peer in rejects:
            counts[mn, reason] += 1
            last[mn, reason] = (device_id, at, detail[:100], peer)
        for (mn, reason), n in counts.items():
            device_id, at, detail, peer = last[mn, reason]
            updated = Rejection.objects.filter(mn=mn, reason=reason).update(
                count=F("count") + n, last_at=at, last_detail=detail, last_peer=peer
            )
            if not updated:
                Rejection.objects.create(
                    mn=mn,
                    reason=reason,
                    device_id=device_id,
                    count=n,
                    last_at=at,
                    last_detail=detail,
                    last_peer=peer,
                )

    def run(
        self,
        stop: threading.Event,
        interval: float,
        reload: Callable[[], None] | None = None,
        reload_every: float = 60.0,
    ) -> None:
        """The writer thread: flush every ``interval`` seconds until ``stop`` is set (then
        once more); call ``reload`` (re-read the device registry) every ``reload_every``."""
        import time

        next_reload = time.monotonic() + reload_every
        while True:
            stopping = stop.wait(interval)
            try:
                self.flush()
                if reload is not None and time.monotonic() >= next_reload:
                    next_reload = time.monotonic() + reload_every
                    reload()
            except Exception:
                logger.exception("the HJ 212 writer's flush failed")
                close_old_connections()
                if stopping:
                    raise
            if stopping:
                return


def apply_event(event: Event) -> None:
    """Store one alarm change; an over-limit alarm opens (or joins) its site's hazard."""
    if event.action == OPEN:
        alarm = Alarm.objects.create(
            device_id=event.device_id,
            project_id=event.project_id,
            kind=event.kind,
            factor=event.factor,
            limit=event.limit,
            peak=event.peak,
            readings=event.readings,
            basis=event.basis,
            started_at=event.at,
        )
        if event.kind == AlarmKind.OVER_LIMIT:
            alarm = Alarm.objects.select_related("project", "device").get(pk=alarm.pk)
            alarm.hazard = open_hazard_for(alarm)
            alarm.save(update_fields=["hazard"])
        return
    changes: dict[str, Any] = {"cleared_at": event.at}
    if event.peak is not None:
        changes["peak"] = event.peak
        changes["readings"] = event.readings
    Alarm.objects.filter(
        device_id=event.device_id, kind=event.kind, factor=event.factor, cleared_at__isnull=True
    ).update(**changes)
