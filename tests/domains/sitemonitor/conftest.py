"""A running HJ 212 receiver for each test, and devices registered to talk to it.

The receiver is the production one (:func:`runner.build_receiver`): its event loop runs
in a thread of its own and listens on a free port of 127.0.0.1, and the tests talk to it
through real TCP sockets. Its writer is flushed by the test itself (:meth:`Live.flush`),
in the test's thread, so what it writes lands in the test's transaction and is rolled
back with it — the loop thread never touches the database, exactly as in production.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import socket
import threading
import time
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone

from zhujian.domains.construction.models import ConstructionProject, SiteDevice
from zhujian.domains.sitemonitor import protocol as p
from zhujian.domains.sitemonitor.models import DeviceProtocol
from zhujian.domains.sitemonitor.runner import build_receiver
from zhujian.domains.sitemonitor.server import Receiver

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
_AGO = itertools.cycle(range(86_400))
WAIT = 10.0  # seconds to wait for the server before a test gives up (never asserted)

EXAMPLE = (
    b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;"
    b"Flag=5;CP=&&RtdInterval=30&&1C80\r\n"
)
EXAMPLE_MN = "010000A8900016F000169DC0"
MN = "TEST0000000000000000001"
PW = "654321"


def segment(
    mn: str = MN,
    pw: str = PW,
    cn: str = "2011",
    values: dict[str, Any] | None = None,
    flag: int = 5,
    at: dt.datetime | None = None,
    qn: str | None = None,
    flags: dict[str, str] | None = None,
) -> str:
    # A distinct DataTime for each packet unless one is given: a packet with the same
    # MN, CN and DataTime as an earlier one is the same reading, re-sent.
    at = at or dt.datetime.now(TZ).replace(microsecond=0) - dt.timedelta(seconds=next(_AGO))
    suffix = "Rtd" if cn == "2011" else "Avg"
    values = {"a34002": 0.05, "a34004": 0.03, "LA": 50} if values is None else values
    flags = flags or {}
    groups = ";".join(f"{k}-{suffix}={v},{k}-Flag={flags.get(k, 'N')}" for k, v in values.items())
    return (
        f"QN={qn or p.qn_of(at)};ST=22;CN={cn};PW={pw};MN={mn};Flag={flag};"
        f"CP=&&DataTime={at:%Y%m%d%H%M%S};{groups}&&"
    )


def packet(**kw: Any) -> bytes:
    return p.build(segment(**kw))


class Device:
    """A device's TCP connection: send bytes, read whole reply packets."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def reply(self) -> bytes:
        """The next packet the server sends (waits up to WAIT seconds)."""
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line + b"\r\n"

    def close(self) -> None:
        self.sock.close()


class Live:
    def __init__(self) -> None:
        self.receiver: Receiver = build_receiver()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.call(lambda: None)
        asyncio.run_coroutine_threadsafe(self.receiver.start("127.0.0.1", 0), self.loop).result(
            WAIT
        )
        self.port = self.receiver.port
        self.devices: list[Device] = []

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` in the receiver's loop thread (where its state lives)."""

        async def run() -> Any:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(WAIT)

    def connect(self) -> Device:
        device = Device(self.port)
        self.devices.append(device)
        return device

    def settle(self, frames: int) -> None:
        """Wait until the server has handled ``frames`` frames in all (not a timing test)."""
        deadline = time.monotonic() + WAIT
        while self.receiver.stats["frames"] < frames:
            if time.monotonic() > deadline:
                raise AssertionError(f"server handled {self.receiver.stats['frames']} frames")
            time.sleep(0.01)

    def flush(self) -> None:
        self.receiver.store.flush()

    def reload(self) -> None:
        """Re-read the registry (as the writer thread does every minute)."""
        from zhujian.domains.sitemonitor.devices import load_devices

        devices = load_devices()
        self.call(lambda: self.receiver.replace_devices(devices))

    def close(self) -> None:
        for device in self.devices:
            device.close()

        async def stop() -> None:
            assert self.receiver.server is not None
            self.receiver.server.close()
            for conn in list(self.receiver.connections):
                if conn.transport is not None:
                    conn.transport.close()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(WAIT)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(WAIT)
        self.loop.close()


def register(
    mn: str = MN,
    pw: str = PW,
    *,
    project: ConstructionProject | None = None,
    unit: str = "mg",
    crc: str = "hj212",
    factor_units: str = "",
    code: str | None = None,
) -> SiteDevice:
    # A site the demo does not monitor (no demo alarms or hazards of its own).
    project = (
        project
        or ConstructionProject.objects.filter(started_on__isnull=False, completed_on__isnull=True)
        .exclude(pk__in=SiteDevice.objects.exclude(mn="").values("project_id"))
        .order_by("pk")
        .first()
    )
    device = SiteDevice(
        project=project,
        code=code or f"T-{mn[-6:]}",
        kind="dust",
        mn=mn,
        factors="a34004,a34002,a34001,LA,a01001,a01002",
        concentration_unit=unit,
        installed_on=timezone.localdate() - dt.timedelta(days=30),
    )
    device.save()
    DeviceProtocol(device=device, password=pw, crc=crc, factor_units=factor_units).save()
    return device


@pytest.fixture
def device(db) -> SiteDevice:
    return register()


@pytest.fixture
def live(db, device, settings) -> Iterator[Live]:
    settings.ZHUJIAN_HJ212_ALARM_READINGS = 3
    settings.ZHUJIAN_HJ212_OFFLINE_MINUTES = 10
    server = Live()
    yield server
    server.close()
