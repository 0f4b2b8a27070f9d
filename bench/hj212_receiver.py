"""Benchmark: the HJ 212 receiver under N connected devices, raised until it falls behind.

    python -m bench hj212_receiver                         # SQLite (a fresh file in a temp dir)
    python -m bench hj212_receiver --postgres              # PostgreSQL (zj_hj212_bench, dropped after)
    python -m bench hj212_receiver --devices 1000,5000,10000 --duration 60 --procs 2

Each step starts ``zhujian hj212 serve`` as its own process (as systemd runs it) and
``zhujian hj212 simulate`` as another (``--procs`` simulator processes), so the
simulator's CPU is not counted as the server's. Every device keeps one TCP connection
and sends a real-time packet (CN=2011, ~330 bytes, Flag=5) every ``--interval`` seconds
with a random phase: N devices at 10 s are N/10 packets a second. The simulator times
each packet to its acknowledgement; the server writes its counters every second.

Each step first runs the floor (``bench/hj212_floor.py``: framing, CRC and ack, no
database) under the same simulator, then the project's receiver, and prints both with the
receiver's CPU per packet and p99 ack as ratios to the floor's (``--no-floor`` skips it).

Reported per step, over the steady window (all devices connected, after one interval):
packets/s handled and rows/s written by the writer, p50/p99 ack time (client side),
server CPU (% of one core, event loop + writer thread) and peak RSS, and the writer's
backlog. A step *falls behind* when p99 ack exceeds 100 ms, an ack is missing, the
writer's backlog grows past two seconds of traffic, or fewer rows are written than
packets arrive; the bench stops raising N there. Both processes raise their open-file
limit (``resource.setrlimit``) to the hard limit.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/zj_hj212_bench"
ROOT = Path(__file__).resolve().parents[1]
ZHUJIAN = [sys.executable, "-m", "zhujian.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def phase_prepare(devices: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhujian.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from zhujian.demo import run
    from zhujian.domains.sitemonitor.demo import register_simulated
    from zhujian.domains.sitemonitor.models import DeviceProtocol

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    run.build(seed=2022, log=lambda _m: None)
    active = DeviceProtocol.objects.filter(enabled=True, device__removed_on__isnull=True)
    missing = max(0, devices - active.exclude(device__mn="").count())
    if missing:
        register_simulated(missing)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"devices": DeviceProtocol.objects.count(), "seconds": time.perf_counter() - t0}


def _stats(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def run_step(
    env: dict[str, str], work: Path, n: int, args: argparse.Namespace, floor: bool = False
) -> dict[str, Any]:
    port = _free_port()
    name = "floor" if floor else "serve"
    stats_file = work / f"stats-{name}-{n}.json"
    log = open(work / f"{name}-{n}.log", "w")
    command = (
        [sys.executable, "-m", "bench.hj212_floor", "--port", str(port),
         "--stats-file", str(stats_file)]
        if floor
        else [*ZHUJIAN, "hj212", "serve", "--host", "127.0.0.1", "--port", str(port),
              "--stats-file", str(stats_file), "--stats-every", "1"]
    )  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"the receiver did not start: see {log.name}") from None
                time.sleep(0.2)
        sim = subprocess.Popen(
            [*ZHUJIAN, "hj212", "simulate", "--port", str(port), "--devices", str(n),
             "--interval", str(args.interval), "--duration", str(args.duration),
             "--procs", str(args.procs)],
            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        samples = []
        started = time.time()
        while sim.poll() is None:
            time.sleep(1)
            s = _stats(stats_file)
            if s is not None:
                samples.append(s)
        out, _ = sim.communicate()
        client = json.loads(out.strip().splitlines()[-1])
        time.sleep(2)
        final = _stats(stats_file) or {}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=120)
        log.close()
    ramp = started + n / 2000 + args.interval + 2
    end = started + args.duration - 1
    steady = [s for s in samples if ramp <= s["time"] <= end]
    if len(steady) < 2:
        steady = samples[-2:] if len(samples) >= 2 else samples * 2
    a, b = steady[0], steady[-1]
    span = max(1e-9, b["time"] - a["time"])
    packets = (b.get("frames", 0) - a.get("frames", 0)) / span
    written = (b.get("written_readings", 0) - a.get("written_readings", 0)) / span
    cpu = (b["cpu_s"] - a["cpu_s"]) / span * 100
    backlog = max((s.get("pending", 0) for s in steady), default=0)
    counts = client["counts"]
    ack = client.get("ack_ms", {})
    behind = []
    if ack.get("p99", 1e9) > 100:
        behind.append("p99 ack > 100 ms")
    if counts.get("ack_missing") or counts.get("connect_failed"):
        behind.append("missing acks or refused connections")
    if backlog > 2 * max(packets, 1) and backlog > 1000:
        behind.append("writer backlog")
    if written < 0.95 * packets:
        behind.append("fewer rows written than packets received")
    return {
        "devices": n,
        "connected": counts.get("connected", 0),
        "sent": counts.get("sent", 0),
        "acked": counts.get("acked", 0),
        "packets_per_s": round(packets, 1),
        "rows_written_per_s": round(written, 1),
        "ack_ms": ack,
        "server_cpu_pct": round(cpu, 1),
        "server_rss_mb": round(final.get("rss_mb", b.get("rss_mb", 0)), 1),
        "max_backlog": backlog,
        "written_total": final.get("written_readings", 0),
        "behind": behind,
    }


def _pg_admin(url: str, sql: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    with psycopg.connect(
        urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True
    ) as c:
        c.execute(sql)


def run_backend(args: argparse.Namespace, postgres: bool) -> list[dict[str, Any]]:
    work = Path(tempfile.mkdtemp(prefix="zhujian-hj212-bench-"))
    env = {
        **os.environ,
        "ZHUJIAN_VAR_DIR": str(work / "var"),
        "ZHUJIAN_DEBUG": "0",
        "ZHUJIAN_SECRET_KEY": os.environ.get("ZHUJIAN_SECRET_KEY", "bench"),
        "ZHUJIAN_LOG_LEVEL": "WARNING",
        # the tree this bench lives in, whatever package the virtualenv has installed
        "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
        # every simulated device connects from 127.0.0.1
        "ZHUJIAN_HJ212_MAX_PER_ADDRESS": "1000000",
    }
    name = ""
    backend = "PostgreSQL" if postgres else "SQLite"
    if postgres:
        from urllib.parse import urlsplit

        env["DATABASE_URL"] = args.pg_url
        name = urlsplit(args.pg_url).path.lstrip("/")
        _pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(args.pg_url, f'CREATE DATABASE "{name}"')
    else:
        env.pop("DATABASE_URL", None)
    steps = [int(x) for x in args.devices.split(",")]
    results = []
    try:
        prep = subprocess.run(
            [sys.executable, "-m", "bench", "hj212_receiver", "--phase", "prepare",
             "--devices", str(max(steps))],
            env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False,
        )  # fmt: skip
        if prep.returncode != 0:
            raise SystemExit("prepare failed")
        prepared = json.loads(prep.stdout.strip().splitlines()[-1])
        print(
            f"{backend}: {prepared['devices']:,} devices registered in {prepared['seconds']:.0f} s"
        )
        for n in steps:
            if not args.no_floor:
                f = run_step(env, work, n, args, floor=True)
                results.append({"backend": "floor", **f})
                fack = f["ack_ms"]
                print(
                    f"floor: {n:,} devices ({f['connected']:,} connected): "
                    f"{f['packets_per_s']:,.0f} packets/s; ack p50 {fack.get('p50', '—')} ms, "
                    f"p99 {fack.get('p99', '—')} ms; CPU {f['server_cpu_pct']:.0f} % of a core",
                    flush=True,
                )
            r = run_step(env, work, n, args)
            results.append({"backend": backend, **r})
            ack = r["ack_ms"]
            if not args.no_floor:
                mine = r["server_cpu_pct"] / max(r["packets_per_s"], 1e-9)
                base = f["server_cpu_pct"] / max(f["packets_per_s"], 1e-9)
                r["cpu_per_packet_vs_floor"] = round(mine / max(base, 1e-9), 2)
                r["p99_vs_floor"] = round(
                    ack.get("p99", float("nan")) / max(fack.get("p99", float("nan")), 1e-9), 2
                )
                print(
                    f"{backend} against the floor: CPU per packet ×"
                    f"{r['cpu_per_packet_vs_floor']}, p99 ack ×{r['p99_vs_floor']}",
                    flush=True,
                )
            print(
                f"{backend}: {n:,} devices ({r['connected']:,} connected): "
                f"{r['packets_per_s']:,.0f} packets/s, {r['rows_written_per_s']:,.0f} rows/s "
                f"written; ack p50 {ack.get('p50', '—')} ms, p99 {ack.get('p99', '—')} ms, "
                f"max {ack.get('max', '—')} ms; server CPU {r['server_cpu_pct']:.0f} % of a "
                f"core, RSS {r['server_rss_mb']:.0f} MB; max backlog {r['max_backlog']:,} rows"
                + (f"; BEHIND: {', '.join(r['behind'])}" if r["behind"] else ""),
                flush=True,
            )
            if r["behind"]:
                break
    finally:
        if postgres and not args.keep:
            _pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench hj212_receiver", description=__doc__)
    parser.add_argument("--devices", default="1000,5000,10000,15000,20000")
    parser.add_argument("--interval", type=float, default=10.0)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--procs", type=int, default=2, help="simulator processes")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--all", action="store_true", help="SQLite, then PostgreSQL")
    parser.add_argument("--pg-url", default=os.environ.get("HJ212_BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument(
        "--no-floor", action="store_true", help="skip the minimal floor receiver's run"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--phase", choices=["prepare"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase == "prepare":
        print(json.dumps(phase_prepare(int(args.devices))))
        return
    results = []
    for postgres in [False, True] if args.all else [args.postgres]:
        results.extend(run_backend(args, postgres))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2))
