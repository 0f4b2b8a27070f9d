"""``zhujian hj212 serve``: the receiver, its writer thread and its periodic jobs."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import json
import logging
import resource
import signal
import sys
import threading
import time
import zoneinfo
from pathlib import Path

from django.conf import settings

from zhujian.domains.sitemonitor import conf
from zhujian.domains.sitemonitor.devices import load_devices, load_snapshot, registry_version
from zhujian.domains.sitemonitor.server import Receiver
from zhujian.domains.sitemonitor.store import Store
from zhujian.domains.sitemonitor.supervision import Supervisor

logger = logging.getLogger("zhujian.hj212")


def build_receiver(keep_raw: bool = True, open_files: int = 0) -> Receiver:
    """A receiver loaded with the registry, last-seen times and open alarms; its cap of
    connections stays 64 below ``open_files`` (the process's limit) when that is given."""
    snapshot = load_snapshot()
    supervisor = Supervisor(
        conf.limits(),
        conf.alarm_readings(),
        conf.day_hours(),
        dt.timedelta(minutes=conf.offline_minutes()),
        snapshot.open_alarms.keys(),
        averaging=conf.averaging_minutes(),
        sources=conf.limit_sources(),
    )
    return Receiver(
        snapshot,
        Store(keep_raw=keep_raw),
        supervisor,
        tz=zoneinfo.ZoneInfo(settings.TIME_ZONE),
        alarm_cn=conf.alarm_cn(),
        idle_seconds=conf.idle_seconds(),
        max_per_address=conf.max_per_address(),
        auth_seconds=conf.auth_seconds(),
        auth_failures_per_mn=conf.auth_failures_per_mn(),
        auth_failures_per_address=conf.auth_failures_per_address(),
        auth_window=conf.auth_window_seconds(),
        raw_samples=conf.raw_samples_per_hour(),
        clock_skew=conf.clock_skew(),
        max_age_days=conf.max_age_days(),
        plausible=conf.plausible(),
        max_connections=(
            min(conf.max_connections(), max(1, open_files - 64))
            if open_files
            else conf.max_connections()
        ),
    )


def raise_open_files() -> int:
    """Raise the soft limit of open files to the hard one (one socket per device)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = 1 << 20 if hard == resource.RLIM_INFINITY else hard
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


def serve(
    host: str, port: int, *, stats_file: Path | None = None, stats_every: float = 10.0
) -> None:
    """Run until SIGTERM/SIGINT; then stop listening and write what is still queued."""
    limit = raise_open_files()
    # The writer thread holds the GIL in short runs; hand it back to the event loop sooner
    # than the default 5 ms so acknowledgements do not queue behind a batch.
    sys.setswitchinterval(0.0005)
    receiver = build_receiver(open_files=limit)
    # Thousands of connections are long-lived objects: keep the start-up heap out of the
    # collector's way, and collect the young generation less often.
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    stop_writer = threading.Event()

    version = registry_version()

    def reload() -> None:
        nonlocal version
        now = registry_version()
        if now != version:
            version = now
            receiver.replace_devices(load_devices())

    writer = threading.Thread(
        target=receiver.store.run,
        args=(stop_writer, conf.flush_seconds(), reload, conf.reload_seconds()),
        name="hj212-writer",
        daemon=True,
    )
    writer.start()
    try:
        asyncio.run(_main(receiver, host, port, limit, stats_file, stats_every))
    finally:
        stop_writer.set()
        writer.join()
        logger.info("HJ 212 receiver stopped; %s", dict(receiver.stats))


async def _main(
    receiver: Receiver,
    host: str,
    port: int,
    open_files: int,
    stats_file: Path | None,
    stats_every: float,
) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server = await receiver.start(host, port)
    logger.info(
        "HJ 212 receiver listening on %s:%s (%d devices registered, open files %d, "
        "at most %d connections, idle ones closed after %g s)",
        host,
        receiver.port,
        len(receiver.devices),
        open_files,
        receiver.max_connections,
        receiver.idle_seconds,
    )
    every = max(1.0, min(30.0, conf.offline_minutes() * 60 / 4))
    tasks = [
        asyncio.create_task(receiver.watch_offline(every)),
        asyncio.create_task(receiver.watch_idle(receiver.idle_check_every())),
        asyncio.create_task(_report(receiver, stats_file, stats_every)),
    ]
    await stop.wait()
    server.close()
    for conn in list(receiver.connections):
        if conn.transport is not None:
            conn.transport.close()
    for task in tasks:
        task.cancel()
    await asyncio.sleep(0)


def stats_of(receiver: Receiver) -> dict[str, object]:
    return {
        "time": time.time(),
        "cpu_s": time.process_time(),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "open_connections": len(receiver.connections),
        "pending": receiver.store.pending(),
        **{k: v for k, v in receiver.stats.items()},
        **{f"written_{k}": v for k, v in receiver.store.written.items()},
    }


async def _report(receiver: Receiver, stats_file: Path | None, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        stats = stats_of(receiver)
        if stats_file is not None:
            tmp = stats_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(stats))
            tmp.replace(stats_file)
        logger.info("hj212 %s", stats)
