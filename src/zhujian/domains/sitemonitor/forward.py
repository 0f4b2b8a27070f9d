"""Adapter 3: forward the sites' readings to upstream HJ 212 platforms, store and forward.

Towards an upstream Zhujian is the field machine (docs/exchange-research.md §c): it sends
each stored reading re-encoded under the MN the upstream assigned to the site (or the
device's own MN), with its PW and ST, ``Flag=5`` (HJ 212-2017, reply wanted), and waits for
the data acknowledgement (CN 9014) with the same QN for ``OverTime`` seconds, sending again
up to ``ReCount`` times. Only then does the cursor move past the reading, so:

- **nothing is lost**: the queue is the readings table itself, read in order from the
  cursor; an outage leaves the cursor where the last acknowledgement put it and the next
  run replays from there, in order;
- **nothing is stored twice upstream**: a reading keeps its QN (from its DataTime and its
  number) whenever it is sent again, so an upstream that got it but whose 9014 was lost
  recognises the repeat (the standard's way);
- **bounded**: a backlog beyond ``HJ212_FORWARD_QUEUE_MAX`` is skipped from the oldest end,
  and real-time data (2011, which the standard gives no way to fetch later) older than
  ``HJ212_FORWARD_REALTIME_REPLAY_MIN`` is not replayed; both are counted on the target.

``zhujian hj212_forward`` runs :func:`forward_all` in a loop beside the receiver.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zhujian.domains.sitemonitor import conf
from zhujian.domains.sitemonitor import protocol as p
from zhujian.domains.sitemonitor.models import FACTOR_COLUMNS, ForwardTarget, Reading

logger = logging.getLogger("zhujian.sitemonitor.forward")

FLAG_WANT_ACK = p.FLAG_VERSION_2017 | p.FLAG_ACK  # = 5
SUFFIX = {p.CN_REALTIME: "Rtd", p.CN_MINUTE: "Avg", p.CN_HOURLY: "Avg", p.CN_DAILY: "Avg"}
BATCH = 500


@dataclass
class Outcome:
    sent: int = 0
    dropped: int = 0
    stale: int = 0
    error: str = ""


def qn(reading: Reading) -> str:
    """The reading's own request number: its DataTime and the last three digits of its
    number (HJ 212's ``yyyyMMddHHmmsszzz``), the same on every resend."""
    local = timezone.localtime(reading.data_time)
    return f"{local:%Y%m%d%H%M%S}{reading.pk % 1000:03d}"


def encode(target: ForwardTarget, reading: Reading, device_mn: str) -> tuple[str, bytes]:
    """The packet for ``reading`` under the upstream's MN, PW and ST."""
    number = qn(reading)
    mn = (target.mn_map or {}).get(device_mn) or device_mn
    suffix = SUFFIX.get(reading.cn, "Avg")
    items = []
    for code, column in FACTOR_COLUMNS.items():
        value = getattr(reading, column)
        if value is None:
            continue
        flag = "N"
        items.append(f"{code}-{suffix}={value:g},{code}-Flag={flag}")
    local = timezone.localtime(reading.data_time)
    cp = ";".join([f"DataTime={local:%Y%m%d%H%M%S}", *items])
    segment = (
        f"QN={number};ST={target.st};CN={reading.cn};PW={target.password};MN={mn};"
        f"Flag={FLAG_WANT_ACK};CP=&&{cp}&&"
    )
    return number, p.build(segment)


class Link:
    """One TCP connection to the upstream; :meth:`send` waits for the 9014 of a QN."""

    def __init__(self, target: ForwardTarget, timeout: float) -> None:
        self.timeout = timeout
        self.sock = socket.create_connection((target.host, target.port), timeout=timeout)
        self.framer = p.Framer()
        self.acked: set[str] = set()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, packet: bytes, number: str, retries: int) -> bool:
        for _ in range(retries + 1):
            self.sock.sendall(packet)
            if self._wait(number):
                return True
        return False

    def _wait(self, number: str) -> bool:
        deadline = time.monotonic() + self.timeout
        while number not in self.acked:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                return False
            if not data:
                raise ConnectionError("上级平台关闭了连接")
            for item in self.framer.feed(data):
                if isinstance(item, p.Frame):
                    split = p.split_frame(item.raw)
                    if isinstance(split, p.Reject):
                        continue
                    packet = p.parse_segment(item.raw, split[0])
                    if isinstance(packet, p.Packet) and packet.cn == p.CN_DATA_ACK:
                        self.acked.add(packet.qn)
        self.acked.discard(number)
        return True


def _trim(target: ForwardTarget, cns: list[str], now: dt.datetime) -> tuple[int, int]:
    """Skip what the bound and the real-time window leave out; returns (dropped, stale)."""
    backlog = Reading.objects.filter(pk__gt=target.cursor, cn__in=cns).order_by("pk")
    bound = int(conf.FORWARD_QUEUE_MAX.get())
    total = backlog.count()
    dropped = 0
    if total > bound:
        dropped = total - bound
        new_cursor = backlog.values_list("pk", flat=True)[dropped - 1]
        ForwardTarget.objects.filter(pk=target.pk).update(
            cursor=new_cursor, dropped=F("dropped") + dropped
        )
        target.cursor = new_cursor
    return dropped, 0


def forward(target: ForwardTarget, now: dt.datetime | None = None, limit: int = 100_000) -> Outcome:
    """Send ``target`` everything after its cursor, in order, until done or the link fails."""
    now = now or timezone.now()
    cns = [c.strip() for c in target.cns.split(",") if c.strip()]
    outcome = Outcome()
    outcome.dropped, _ = _trim(target, cns, now)
    window = dt.timedelta(minutes=int(conf.FORWARD_REALTIME_REPLAY_MIN.get()))
    timeout = float(conf.FORWARD_OVERTIME_S.get())
    retries = int(conf.FORWARD_RECOUNT.get())
    try:
        link = Link(target, timeout)
    except OSError as exc:
        outcome.error = f"无法连接上级平台：{exc}"
        ForwardTarget.objects.filter(pk=target.pk).update(last_error=outcome.error[:200])
        return outcome
    try:
        while outcome.sent < limit:
            rows = list(
                Reading.objects.filter(pk__gt=target.cursor, cn__in=cns)
                .select_related("device")
                .order_by("pk")[:BATCH]
            )
            if not rows:
                break
            for reading in rows:
                stale = reading.cn == p.CN_REALTIME and now - reading.data_time > window
                if stale:
                    outcome.stale += 1
                    _advance(target, reading.pk, stale=True)
                    continue
                number, packet = encode(target, reading, reading.device.mn)
                if not link.send(packet, number, retries):
                    outcome.error = f"上级平台{timeout:g}秒内未应答（已重发{retries}次）"
                    raise ConnectionError(outcome.error)
                _advance(target, reading.pk)
                outcome.sent += 1
    except OSError as exc:
        outcome.error = outcome.error or f"与上级平台的连接中断：{exc}"
    finally:
        link.close()
    ForwardTarget.objects.filter(pk=target.pk).update(
        last_error=outcome.error[:200],
        **({"last_ok_at": timezone.now()} if outcome.sent and not outcome.error else {}),
    )
    return outcome


def _advance(target: ForwardTarget, pk: int, stale: bool = False) -> None:
    """Move the cursor past ``pk`` (acknowledged, or skipped as stale)."""
    with transaction.atomic():
        counters = (
            {"dropped_stale": F("dropped_stale") + 1}
            if stale
            else {"forwarded": F("forwarded") + 1}
        )
        ForwardTarget.objects.filter(pk=target.pk).update(cursor=pk, **counters)
    target.cursor = pk


def forward_all() -> dict[str, Outcome]:
    return {t.name: forward(t) for t in ForwardTarget.objects.filter(enabled=True)}
