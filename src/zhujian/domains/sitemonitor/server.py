"""The HJ 212 receiver: an asyncio TCP server, one :class:`Connection` per device.

Each read is cut into frames (:class:`~.protocol.Framer`); each frame is checked
(length, CRC, data segment, MN, password) and, when its Flag asks, acknowledged at once
(CN=9014) — before anything is written. Accepted data becomes plain tuples queued on
the :class:`~.store.Store`, which the writer thread writes in batches. A refused packet
is counted per MN and reason and stored raw; it never closes the connection nor touches
another one. The event loop never calls the database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import logging
import math
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from zhujian.domains.sitemonitor import protocol as p
from zhujian.domains.sitemonitor.devices import DeviceConfig, Snapshot
from zhujian.domains.sitemonitor.models import AlarmKind
from zhujian.domains.sitemonitor.store import Store
from zhujian.domains.sitemonitor.supervision import CLEAR, OPEN, Event, Supervisor

logger = logging.getLogger("zhujian.hj212")

UTC = dt.UTC

#: Sources that are not registered devices (unknown or forged MNs) get a count of their
#: own up to this many; past it they share one row, so a flood of made-up MNs cannot
#: grow the receiver's memory or the refusal table without bound.
MAX_UNKNOWN_SOURCES = 1000
#: The refusal row those further sources share.
OTHER_SOURCES = "（其他未登记来源）"
#: Raw copies kept of refused packets from one unregistered source per receiver run
#: (besides the hourly bound per MN and reason and per address, ``raw_samples``).
RAW_SAMPLE_UNKNOWN = 20
#: Failure counts kept at most (one per MN or address); expired ones are dropped first.
MAX_FAILURE_KEYS = 100_000


class Receiver:
    """What every connection shares: devices, supervision, the store and counters."""

    def __init__(
        self,
        snapshot: Snapshot,
        store: Store,
        supervisor: Supervisor,
        *,
        tz: dt.tzinfo,
        alarm_cn: str = p.CN_REALTIME,
        clock: Callable[[], dt.datetime] | None = None,
        idle_seconds: float = 0,
        max_connections: int = 0,
        max_per_address: int = 0,
        auth_seconds: float = 0,
        auth_failures_per_mn: int = 0,
        auth_failures_per_address: int = 0,
        auth_window: float = 600,
        raw_samples: int = 20,
        clock_skew: float = 600,
        max_age_days: float = 400,
        plausible: dict[str, tuple[float, float]] | None = None,
    ) -> None:
        self.devices: dict[str, DeviceConfig] = snapshot.devices
        self.last_seen: dict[int, dt.datetime] = dict(snapshot.last_seen)
        self.store = store
        self.supervisor = supervisor
        self.tz = tz
        self.alarm_cn = alarm_cn
        self.clock = clock or (lambda: dt.datetime.now(UTC))
        self.stats: Counter[str] = Counter()
        self.rejected: Counter[tuple[str, str]] = Counter()
        self.unknown_sources: set[str] = set()
        self.connections: set[Connection] = set()
        self.server: asyncio.Server | None = None
        # A connection that sends nothing for this long is closed (0: never): a device
        # reconnects when it next reports, a socket opened and left silent frees its slot.
        self.idle_seconds = idle_seconds
        # Connections open at once (0: no cap); one more is closed at once. Below the
        # process's open-file limit, so a flood of connections cannot exhaust it.
        self.max_connections = max_connections
        # Per source: connections open at once from one address (0: no cap), and seconds
        # a connection may stay open without one accepted packet (0: no limit).
        self.max_per_address = max_per_address
        self.by_host: Counter[str] = Counter()
        self.auth_seconds = auth_seconds
        # Password guessing: wrong passwords counted per MN and per address in windows of
        # ``auth_window`` seconds; at the limit the address, or the MN for every address
        # it has not worked from, is refused (no answer, right password or not) until the
        # window ends, and an MN at its limit raises an alarm. 0: no limit.
        self.auth_failures_per_mn = auth_failures_per_mn
        self.auth_failures_per_address = auth_failures_per_address
        self.auth_window = auth_window
        self.failures_mn: dict[str, list[float]] = {}
        self.failures_host: dict[str, list[float]] = {}
        self.trusted: dict[str, set[str]] = {}  # MN → addresses it authenticated from
        # Raw copies of refused packets: at most this many per MN and reason, and per
        # address, each hour; the counts (Rejection) are kept for all.
        self.raw_samples = raw_samples
        self.raw_kept: Counter[tuple[str, ...]] = Counter()
        self.raw_hour = -1
        # What a reading may claim (checked before the ack: nothing is acknowledged that
        # cannot be stored): its DataTime within [now - max_age, now + skew], local time,
        # and each value finite and within what a monitor can report.
        self.clock_skew = dt.timedelta(seconds=clock_skew)
        self.max_age = dt.timedelta(days=max_age_days)
        self.plausible = dict(plausible or {})

    # --- devices ---------------------------------------------------------------------

    def replace_devices(self, devices: dict[str, DeviceConfig]) -> None:
        """Swap in a re-read registry (called from the writer thread; one assignment)."""
        self.devices = devices

    # --- serving ---------------------------------------------------------------------

    async def start(self, host: str, port: int, backlog: int = 4096) -> asyncio.Server:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(
            lambda: Connection(self), host, port, backlog=backlog, reuse_address=True
        )
        return self.server

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.sockets[0].getsockname()[1]

    def accept(self, conn: Connection) -> bool:
        """Count a new connection in; False (and counted as refused) over the cap."""
        if self.max_connections and len(self.connections) >= self.max_connections:
            self.stats["refused_connections"] += 1
            if self.stats["refused_connections"] % 1000 == 1:
                logger.warning(
                    "HJ 212 receiver at its cap of %d connections: refused %d so far",
                    self.max_connections,
                    self.stats["refused_connections"],
                )
            return False
        if self.max_per_address and self.by_host[conn.host] >= self.max_per_address:
            self.stats["refused_per_address"] += 1
            if self.stats["refused_per_address"] % 1000 == 1:
                logger.warning(
                    "HJ 212 receiver: %s is at its cap of %d connections",
                    conn.host,
                    self.max_per_address,
                )
            return False
        self.connections.add(conn)
        self.by_host[conn.host] += 1
        self.stats["connections"] += 1
        return True

    def release(self, conn: Connection) -> None:
        if conn in self.connections:
            self.connections.discard(conn)
            self.by_host[conn.host] -= 1
            if self.by_host[conn.host] <= 0:
                del self.by_host[conn.host]

    async def watch_idle(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            self.close_idle()

    def idle_check_every(self) -> float:
        limits = [x for x in (self.idle_seconds, self.auth_seconds) if x]
        return max(1.0, min(30.0, min(limits) / 4)) if limits else 30.0

    def close_idle(self, now: float | None = None) -> int:
        """Close connections silent for longer than ``idle_seconds``, and those without
        an accepted packet ``auth_seconds`` after they opened; returns how many."""
        if not self.idle_seconds and not self.auth_seconds:
            return 0
        now = time.monotonic() if now is None else now
        closed = 0
        for conn in list(self.connections):
            if conn.transport is None:
                continue
            if (
                not conn.authenticated
                and self.auth_seconds
                and now - conn.opened > self.auth_seconds
            ):
                conn.transport.close()
                self.stats["unauthenticated_closed"] += 1
                closed += 1
            elif self.idle_seconds and now - conn.last_active > self.idle_seconds:
                conn.transport.close()
                self.stats["idle_closed"] += 1
                closed += 1
        return closed

    async def watch_offline(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            self.check_offline()

    def check_offline(self, now: dt.datetime | None = None) -> int:
        """Open offline alarms for registered devices silent too long; returns how many."""
        projects = {d.id: d.project_id for d in self.devices.values()}
        events = self.supervisor.check_offline(now or self.clock(), self.last_seen, projects)
        self.store.events.extend(events)
        return len(events)

    # --- one frame -------------------------------------------------------------------

    def handle(self, item: p.Frame | p.Reject, conn: Connection) -> None:
        self.stats["frames"] += 1
        now = self.clock()
        if isinstance(item, p.Reject):
            self._reject(item, conn, now)
            return
        raw = item.raw
        split = p.split_frame(raw)
        if isinstance(split, p.Reject):
            self._reject(split, conn, now)
            return
        segment, crc = split
        mn = p.peek_mn(raw)
        device = self.devices.get(mn)
        if crc != p.crc_hj212(segment) and not (
            device is not None and device.modbus and crc == p.crc_modbus(segment)
        ):
            self._reject(p.Reject(p.Reason.CRC, raw, mn, f"CRC {crc:04X} 不符"), conn, now)
            return
        packet = p.parse_segment(raw, segment)
        if isinstance(packet, p.Reject):
            self._reject(packet, conn, now)
            return
        device = self.devices.get(packet.mn)
        if device is None:
            self._reject(p.Reject(p.Reason.UNKNOWN_MN, raw, packet.mn, "MN未登记"), conn, now)
            return
        mono = time.monotonic()
        if self._locked(conn.host, packet.mn, mono):
            # Refused unread, right password or not: a guess gets no answer either way.
            self._reject(
                p.Reject(p.Reason.THROTTLED, raw, packet.mn, "密码错误次数过多，暂停接收"),
                conn,
                now,
            )
            return
        if not hmac.compare_digest(packet.pw.encode(), device.password.encode()):
            self._auth_failed(conn, device, now, mono)
            self._reject(p.Reject(p.Reason.PASSWORD, raw, packet.mn, "PW不符"), conn, now)
            return
        reading = None
        if packet.cn in p.DATA_CNS:
            reading = self._values(packet, device, now)
            if isinstance(reading, p.Reject):
                self._reject(reading, conn, now)
                return
        self.stats["accepted"] += 1
        store = self.store
        if not conn.authenticated:
            conn.authenticated = True
            hosts = self.trusted.setdefault(device.mn, set())
            if len(hosts) < 16:
                hosts.add(conn.host)
        guessing = (device.id, AlarmKind.PASSWORD_GUESSING.value, "")
        if guessing in self.supervisor.open and not self._count(self.failures_mn, device.mn, mono):
            self.supervisor.open.discard(guessing)
            store.events.append(
                Event(CLEAR, AlarmKind.PASSWORD_GUESSING, device.id, device.project_id, "", now)
            )
        store.seen.append((device.id, now, conn.peer))
        self.last_seen[device.id] = now
        back = self.supervisor.heard(device.id, device.project_id, now)
        if back is not None:
            store.events.append(back)
        if store.keep_raw:
            store.raw.append((now, mn, device.id, conn.peer, True, "", raw.decode("ascii")))
        if reading is not None and packet.cn in p.STORED_CNS:
            data_time, row, values = reading
            store.readings.append((device.id, device.project_id, packet.cn, data_time, now, *row))
            if packet.cn == self.alarm_cn:
                events = self.supervisor.observe(
                    device.id, device.project_id, data_time.astimezone(self.tz), values
                )
                if events:
                    store.events.extend(events)
        # Queued first, then acknowledged: whoever sees the ack finds the rows queued.
        if packet.wants_ack:
            conn.send(p.ack_for(packet))
            self.stats["acks"] += 1

    _COLUMNS = (
        "pm25",
        "pm10",
        "tsp",
        "noise",
        "temperature",
        "humidity",
        "pressure",
        "wind_speed",
        "wind_direction",
    )
    _INDEX = {c: i for i, c in enumerate(_COLUMNS)}

    def _values(
        self, packet: p.Packet, device: DeviceConfig, now: dt.datetime
    ) -> tuple[dt.datetime, tuple[Any, ...], dict[str, tuple[float, str]]] | p.Reject:
        """The row a data packet stores, or why it cannot be stored. Every value the row
        holds is checked here, before the ack: a row the database would refuse (or take
        and then fail to read back, as PostgreSQL does a time before year 1) is refused
        now, counted, and never acknowledged."""
        cp = packet.cp
        raw, mn = packet.raw, packet.mn
        data_time = p.parse_time(cp.get("DataTime", ""), self.tz)
        if data_time is None:
            return p.Reject(p.Reason.DATA, raw, mn, "DataTime缺失或错误")
        # Compared as local wall-clock times: no conversion that could overflow.
        local_now = now.astimezone(self.tz).replace(tzinfo=None)
        claimed = data_time.replace(tzinfo=None)
        if claimed > local_now + self.clock_skew:
            return p.Reject(
                p.Reason.FUTURE,
                raw,
                mn,
                f"DataTime {claimed:%Y-%m-%d %H:%M:%S}晚于接收时间"
                f"超过{self.clock_skew.total_seconds():g}秒",
            )
        if claimed < local_now - self.max_age:
            return p.Reject(
                p.Reason.TOO_OLD,
                raw,
                mn,
                f"DataTime {claimed:%Y-%m-%d}早于接收时间{self.max_age.days}天以上",
            )
        suffix = "-Rtd" if packet.cn == p.CN_REALTIME else "-Avg"
        row: list[Any] = [None] * len(self._COLUMNS)
        values: dict[str, tuple[float, str]] = {}
        flags = []
        for factor, (column, scale) in device.factors.items():
            text = cp.get(factor + suffix)
            if text is None:
                continue
            if not p.NUMBER_RE.match(text):
                return p.Reject(p.Reason.DATA, raw, mn, f"{factor}{suffix}不是数值")
            value = float(text) * scale
            bounds = self.plausible.get(factor)
            if not math.isfinite(value) or (
                bounds is not None and not bounds[0] <= value <= bounds[1]
            ):
                lo, hi = bounds or (0, 0)
                return p.Reject(
                    p.Reason.RANGE, raw, mn, f"{factor}{suffix}={text[:20]}超出{lo:g}～{hi:g}"
                )
            flag = cp.get(factor + "-Flag", "N")
            if flag not in p.DATA_FLAGS:
                return p.Reject(p.Reason.DATA, raw, mn, f"{factor}-Flag应为N、F、M、S、D、C、T或B")
            row[self._INDEX[column]] = value
            values[factor] = (value, flag)
            if flag != "N":
                flags.append(f"{factor}:{flag}")
        return data_time, (*row, ",".join(flags)[:100]), values

    # --- password guessing -----------------------------------------------------------

    def _count(self, table: dict[str, list[float]], key: str, mono: float) -> int:
        entry = table.get(key)
        return int(entry[1]) if entry is not None and mono - entry[0] < self.auth_window else 0

    def _add(self, table: dict[str, list[float]], key: str, mono: float) -> int:
        entry = table.get(key)
        if entry is None or mono - entry[0] >= self.auth_window:
            if len(table) >= MAX_FAILURE_KEYS:
                for old in [k for k, v in table.items() if mono - v[0] >= self.auth_window]:
                    del table[old]
                if len(table) >= MAX_FAILURE_KEYS:
                    table.clear()
            entry = table[key] = [mono, 0]
        entry[1] += 1
        return int(entry[1])

    def _locked(self, host: str, mn: str, mono: float) -> bool:
        """Whether ``mn`` is refused from ``host`` unread. An address the MN has already
        authenticated from is never locked out of it (devices behind one NAT address are
        not shut out by a neighbour's wrong password, nor a device by a guesser)."""
        if host in self.trusted.get(mn, ()):
            return False
        per_host, per_mn = self.auth_failures_per_address, self.auth_failures_per_mn
        return bool(
            (per_host and self._count(self.failures_host, host, mono) >= per_host)
            or (per_mn and self._count(self.failures_mn, mn, mono) >= per_mn)
        )

    def _auth_failed(
        self, conn: Connection, device: DeviceConfig, now: dt.datetime, mono: float
    ) -> None:
        self._add(self.failures_host, conn.host, mono)
        failures = self._add(self.failures_mn, device.mn, mono)
        self.stats["password_failures"] += 1
        alarm = (device.id, AlarmKind.PASSWORD_GUESSING.value, "")
        if self.auth_failures_per_mn and failures >= self.auth_failures_per_mn:
            if alarm not in self.supervisor.open:
                self.supervisor.open.add(alarm)
                self.store.events.append(
                    Event(
                        OPEN,
                        AlarmKind.PASSWORD_GUESSING,
                        device.id,
                        device.project_id,
                        "",
                        now,
                        readings=failures,
                    )
                )
                logger.warning(
                    "HJ 212: %d wrong passwords for MN %s (last from %s); locked for %g s",
                    failures,
                    device.mn,
                    conn.host,
                    self.auth_window,
                )

    def _reject(self, reject: p.Reject, conn: Connection, now: dt.datetime) -> None:
        mn = p.printable(reject.mn)[:24]
        device = self.devices.get(mn) if mn else None
        device_id = device.id if device else None
        detail = p.printable(reject.detail)[:100]
        if device is None and mn and mn not in self.unknown_sources:
            if len(self.unknown_sources) < MAX_UNKNOWN_SOURCES:
                self.unknown_sources.add(mn)
            else:
                detail, mn = f"{detail}（MN {mn}）", OTHER_SOURCES
        self.stats["rejected"] += 1
        key = (mn, reject.reason.value)
        self.rejected[key] += 1
        store = self.store
        store.rejects.append((mn, device_id, reject.reason.value, now, detail, conn.peer))
        hour = int(time.monotonic() // 3600)
        if hour != self.raw_hour:
            self.raw_kept.clear()
            self.raw_hour = hour
        kept = self.raw_kept
        if (
            store.keep_raw
            and kept[key] < self.raw_samples
            and kept["host", conn.host] < self.raw_samples
            and (device is not None or self.rejected[key] <= RAW_SAMPLE_UNKNOWN)
        ):
            kept[key] += 1
            kept["host", conn.host] += 1
            text = p.printable(reject.raw[:2000])
            store.raw.append((now, mn, device_id, conn.peer, False, reject.reason.value, text))


class Connection(asyncio.Protocol):
    __slots__ = (
        "authenticated",
        "framer",
        "host",
        "last_active",
        "opened",
        "peer",
        "receiver",
        "transport",
    )

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.framer = p.Framer()
        self.transport: asyncio.Transport | None = None
        self.peer = ""
        self.host = ""
        self.last_active = self.opened = time.monotonic()
        self.authenticated = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if peer else ""
        self.host = str(peer[0]) if peer else ""
        if not self.receiver.accept(self):
            transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.receiver.release(self)

    def data_received(self, data: bytes) -> None:
        receiver = self.receiver
        self.last_active = time.monotonic()
        try:
            items = self.framer.feed(data)
        except Exception:  # never let one device's bytes stop the server
            logger.exception("framing failed for %s", self.peer)
            self.framer = p.Framer()
            return
        for item in items:
            try:
                receiver.handle(item, self)
            except Exception:
                receiver.stats["errors"] += 1
                logger.exception("handling a packet from %s failed", self.peer)

    def send(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)
