"""``zhujian hj212 simulate``: devices that speak HJ 212 over TCP, for demos and the bench.

Each device keeps one connection, sends a real-time packet (CN=2011, Flag=5: wants an
acknowledgement) every ``interval`` seconds with a random phase, and times the
acknowledgement. With ``faults`` (a share of packets), some packets are broken on
purpose — bad CRC, wrong password, unknown MN, wrong length, broken data segment — and
some good ones are sent in two pieces or two at once, as real networks deliver them.
Processes (``procs``) share the devices so that one client CPU is not the limit.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import multiprocessing
import random
import resource
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from zhujian.domains.sitemonitor import protocol as p

FAULTS = ("crc", "password", "unknown_mn", "length", "data")
ACK_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class SimDevice:
    mn: str
    password: str
    ug: bool = False  # sends µg/m³


def values_for(rng: random.Random, at: dt.datetime, device: SimDevice) -> dict[str, float]:
    """Plausible site readings: dust in mg/m³ (µg/m³ where the device sends so), noise
    lower at night, now and then a dusty spell."""
    dusty = rng.random() < 0.03
    pm10 = rng.uniform(0.04, 0.12) * (2.5 if dusty else 1)
    pm25 = pm10 * rng.uniform(0.4, 0.6)
    tsp = pm10 * rng.uniform(1.6, 2.2)
    scale = 1000 if device.ug else 1
    night = at.hour < 6 or at.hour >= 22
    noise = rng.uniform(42, 54) if night else rng.uniform(55, 72)
    return {
        "a34004": round(pm25 * scale, 3),
        "a34002": round(pm10 * scale, 3),
        "a34001": round(tsp * scale, 3),
        "LA": round(noise, 1),
        "a01001": round(rng.uniform(5, 30), 1),
        "a01002": round(rng.uniform(30, 80), 1),
        "a01007": round(rng.uniform(0, 6), 1),
        "a01008": round(rng.uniform(0, 359), 0),
    }


def segment_for(
    device: SimDevice, at: dt.datetime, values: dict[str, float], cn: str = p.CN_REALTIME
) -> str:
    suffix = "Rtd" if cn == p.CN_REALTIME else "Avg"
    groups = ";".join(f"{k}-{suffix}={v:g},{k}-Flag=N" for k, v in values.items())
    return (
        f"QN={p.qn_of(at)};ST=22;CN={cn};PW={device.password};MN={device.mn};Flag=5;"
        f"CP=&&DataTime={at:%Y%m%d%H%M%S};{groups}&&"
    )


def packet_for(
    device: SimDevice,
    at: dt.datetime,
    values: dict[str, float],
    fault: str | None = None,
    cn: str = p.CN_REALTIME,
) -> bytes:
    """A packet from ``device``; ``fault`` (one of :data:`FAULTS`) breaks it on purpose."""
    if fault == "password":
        device = SimDevice(device.mn, device.password + "x", device.ug)
    elif fault == "unknown_mn":
        device = SimDevice("UNREGISTERED" + device.mn[-8:], device.password, device.ug)
    segment = segment_for(device, at, values, cn)
    if fault == "data":
        segment = segment.replace("a34002-Rtd=", "a34002-Rtd=abc", 1).replace(";DataTime", ";Date")
    packet = p.build(segment)
    if fault == "crc":
        bad = (p.crc_hj212(segment.encode()) ^ 0x5A5A) & 0xFFFF
        packet = p.build(segment, crc=bad)
    elif fault == "length":
        packet = b"##%04d" % (len(segment) + 3) + packet[6:]
    return packet


async def _device(
    device: SimDevice,
    host: str,
    port: int,
    interval: float,
    until: float,
    faults: float,
    rng: random.Random,
    latencies: list[float],
    counts: Counter[str],
    tz: dt.tzinfo,
    steady_from: float,
) -> None:
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError:
        counts["connect_failed"] += 1
        return
    counts["connected"] += 1
    try:
        await asyncio.sleep(rng.random() * interval)
        while time.monotonic() < until:
            started = time.monotonic()
            now = dt.datetime.now(tz)
            fault = rng.choice(FAULTS) if faults and rng.random() < faults else None
            packets = [packet_for(device, now, values_for(rng, now, device), fault)]
            split = faults and fault is None and rng.random() < 0.1
            if faults and fault is None and rng.random() < 0.05:
                packets.append(packet_for(device, now, values_for(rng, now, device)))
            data = b"".join(packets)
            t0 = time.perf_counter()
            if split:
                cut = rng.randrange(1, len(data) - 1)
                writer.write(data[:cut])
                await writer.drain()
                await asyncio.sleep(0.005)
                writer.write(data[cut:])
            else:
                writer.write(data)
            await writer.drain()
            counts["sent"] += len(packets)
            if fault is not None:
                counts[f"fault_{fault}"] += 1
                counts["faulty"] += 1
            else:
                for _ in packets:
                    try:
                        await asyncio.wait_for(reader.readuntil(b"\r\n"), ACK_TIMEOUT)
                    except (TimeoutError, asyncio.IncompleteReadError):
                        counts["ack_missing"] += 1
                        break
                    if started >= steady_from:
                        latencies.append((time.perf_counter() - t0) * 1000)
                    counts["acked"] += 1
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))
    except (ConnectionError, OSError):
        counts["connection_lost"] += 1
    finally:
        writer.close()


async def _run(
    devices: list[SimDevice],
    host: str,
    port: int,
    interval: float,
    duration: float,
    faults: float,
    seed: int,
    tz: dt.tzinfo,
    connect_rate: float,
) -> dict[str, Any]:
    latencies: list[float] = []
    counts: Counter[str] = Counter()
    rng = random.Random(seed)
    until = time.monotonic() + duration
    # Acks are timed once every device is connected and has sent once (steady state).
    steady_from = time.monotonic() + (len(devices) / connect_rate if connect_rate else 0) + interval
    gc.freeze()
    tasks = []
    for n, device in enumerate(devices):
        tasks.append(
            asyncio.create_task(
                _device(
                    device,
                    host,
                    port,
                    interval,
                    until,
                    faults,
                    random.Random(rng.random()),
                    latencies,
                    counts,
                    tz,
                    steady_from,
                )
            )
        )
        if connect_rate and n % 100 == 99:
            await asyncio.sleep(100 / connect_rate)
    await asyncio.gather(*tasks)
    return {"counts": dict(counts), "latencies": latencies}


def _raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _worker(args: tuple[Any, ...], out: Any) -> None:
    _raise_nofile()
    out.put(asyncio.run(_run(*args)))


def simulate(
    devices: list[SimDevice],
    host: str,
    port: int,
    *,
    interval: float = 10.0,
    duration: float = 60.0,
    faults: float = 0.0,
    procs: int = 1,
    seed: int = 1,
    tz: dt.tzinfo = dt.UTC,
    connect_rate: float = 2000.0,
) -> dict[str, Any]:
    """Run the devices for ``duration`` seconds; returns counts and ack latency (ms)."""
    _raise_nofile()
    started = time.monotonic()
    if procs <= 1:
        results = [
            asyncio.run(
                _run(devices, host, port, interval, duration, faults, seed, tz, connect_rate)
            )
        ]
    else:
        ctx = multiprocessing.get_context("fork")
        out = ctx.Queue()
        workers = []
        for i in range(procs):
            share = devices[i::procs]
            args = (
                share,
                host,
                port,
                interval,
                duration,
                faults,
                seed + i,
                tz,
                connect_rate / procs,
            )
            proc = ctx.Process(target=_worker, args=(args, out))
            proc.start()
            workers.append(proc)
        results = [out.get() for _ in workers]
        for proc in workers:
            proc.join()
    counts: Counter[str] = Counter()
    latencies: list[float] = []
    for result in results:
        counts.update(result["counts"])
        latencies.extend(result["latencies"])
    latencies.sort()
    return {
        "devices": len(devices),
        "steady_after_s": round(len(devices) / connect_rate + interval, 1)
        if connect_rate
        else interval,
        "seconds": round(time.monotonic() - started, 1),
        "counts": dict(counts),
        "ack_ms": summary_ms(latencies),
    }


def summary_ms(latencies: list[float]) -> dict[str, float]:
    if not latencies:
        return {}

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 2)

    return {"p50": pct(0.5), "p90": pct(0.9), "p99": pct(0.99), "max": round(latencies[-1], 2)}
