"""Benchmark: 1,000,000 LPG scan events through the real scan API, then a cylinder trace.

    python -m bench lpg_scans                      # SQLite (a fresh file in a temp dir)
    python -m bench lpg_scans --postgres           # PostgreSQL (zj_lpg_bench, dropped after)
    python -m bench lpg_scans --events 200000 --batch 500 --cylinders 100000

A county has ~100,000 cylinders and thousands of fillings a day; this loads a county-sized
register and sends 1M scans (fill / deliver / return, ~10,000 a day over ~100 days,
~3 % refused: unknown codes, other companies' cylinders, overdue ones, unregistered users)
through ``POST /api/lpg/scans/`` in batches, each with the device token of its station.

*Through the API* means Django's test client in the same process: URL routing, the whole
middleware stack, DRF's JSON parsing and device-token authentication, the ingestion, the
JSON response — everything but a socket, which a real deployment adds per request
(≈ 1 ms, i.e. 2 µs per event at 500 events a batch). The per-device rate limit is turned
off for the run (one process plays every device at full speed).

Phases run in separate processes of this script, so each peak RSS is its own:
1. ``prepare``: migrate, build the demo county (seed 2022), grow the cylinder register to
   ``--cylinders`` and the users to 60 % of that, issue a token per device;
2. ``ingest``: generate and post the batches; reports events/s over the time spent inside
   the requests and over the whole phase (with the generation of the JSON bodies), and
   re-sends one batch to check that nothing is counted twice;
3. ``trace``: the trace of the cylinder with the most scans, timed (median of 20) as the
   query function and as the page.

PostgreSQL gets ``ANALYZE`` after the prepare phase and after the ingestion.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/zj_lpg_bench"
START = dt.date(2022, 7, 1)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhujian.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.ZHUJIAN_LPG_DEVICE_RATE = None


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- phase 1: the county-sized register --------------------------------------------------


def phase_prepare(cylinders: int) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import transaction

    from zhujian.demo import run
    from zhujian.domains.lpg.models import Customer, Cylinder, ScanDevice, Station
    from zhujian.imports.bulk import insert_with_history

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    run.build(seed=2022, log=lambda _m: None)
    rng = random.Random(1)
    stations = list(Station.objects.filter(active=True, devices__isnull=False).distinct())
    have = Cylinder.objects.count()
    with transaction.atomic():
        rows = []
        for n in range(max(0, cylinders - have)):
            station = stations[n % len(stations)]
            made = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(8 * 365))
            cylinder = Cylinder(
                org_unit_id=station.org_unit_id,
                company_id=station.company_id,
                code=f"8{n:013d}",
                spec="YSP35.5",
                maker="山东华宇压力容器有限公司",
                manufactured_on=made,
                registered_on=max(made, dt.date(2020, 3, 1)),
            )
            if made < dt.date(2018, 6, 1) and rng.random() < 0.95:  # most inspected on time
                cylinder.last_inspected_on = made + dt.timedelta(days=4 * 365 - 30)
            cylinder.derive()
            rows.append(cylinder)
            if len(rows) == 5000:
                insert_with_history(rows, Cylinder, change_reason="基准测试")
                rows = []
        insert_with_history(rows, Cylinder, change_reason="基准测试")
        units = {s.pk: s.org_unit_id for s in stations}
        customers = []
        for n in range(int(cylinders * 0.6)):
            station = stations[n % len(stations)]
            customers.append(
                Customer(
                    org_unit_id=units[station.pk],
                    code=f"BC{n:07d}",
                    kind="resident",
                    name="用户",
                    id_masked="3713**********0000",
                    address="示例地址",
                    registered_on=dt.date(2021, 1, 1),
                    verified=rng.random() > 0.02,
                )
            )
            if len(customers) == 5000:
                insert_with_history(customers, Customer, change_reason="基准测试")
                customers = []
        insert_with_history(customers, Customer, change_reason="基准测试")
    tokens = {}
    for device in ScanDevice.objects.exclude(kind="manual").select_related("station"):
        tokens[device.code] = {"token": device.issue_token(), "station": device.station_id}
        device.save()
    _analyze()
    Path(os.environ["LPG_BENCH_TOKENS"]).write_text(json.dumps(tokens))
    return {
        "seconds": time.perf_counter() - t0,
        "cylinders": Cylinder.objects.count(),
        "customers": Customer.objects.count(),
        "devices": len(tokens),
        "peak_mb": _peak_mb(),
    }


# --- phase 2: one million scans through the API ------------------------------------------


def _pools() -> tuple[dict[int, list[str]], dict[int, list[str]], list[str]]:
    """Per station: its company's cylinder codes and its users' codes; all codes."""
    from zhujian.domains.lpg.models import Customer, Cylinder, Station

    stations = {s.pk: s for s in Station.objects.filter(active=True)}
    by_company: dict[int, list[str]] = {}
    everything = []
    for code, company in Cylinder.objects.filter(status="in_use").values_list("code", "company_id"):
        by_company.setdefault(company, []).append(code)
        everything.append(code)
    cylinders = {pk: by_company.get(s.company_id, []) for pk, s in stations.items()}
    users: dict[int, list[str]] = {}
    unit_station = {s.org_unit_id: pk for pk, s in stations.items()}
    for code, unit, parent in Customer.objects.values_list(
        "code", "org_unit_id", "org_unit__parent_id"
    ):
        station = unit_station.get(unit, unit_station.get(parent))
        if station is not None:
            users.setdefault(station, []).append(code)
    fallback = [c for codes in users.values() for c in codes]
    return cylinders, {pk: users.get(pk) or fallback for pk in stations}, everything


def _body(
    rng: random.Random,
    batch_no: int,
    size: int,
    station: int,
    cylinders: dict[int, list[str]],
    users: dict[int, list[str]],
    everything: list[str],
    first: dt.datetime,
    step: dt.timedelta,
) -> str:
    own, people = cylinders[station], users[station]
    events = []
    for i in range(size):
        at = first + step * i
        roll = rng.random()
        if roll < 0.45:
            code = (
                f"9{rng.randrange(10**13):013d}"
                if rng.random() < 0.01
                else rng.choice(everything)
                if rng.random() < 0.01
                else rng.choice(own)
            )
            event = {"kind": "fill", "code": code, "operator": "充装工", "weight_kg": "14.60"}
        elif roll < 0.85:
            event = {
                "kind": "deliver",
                "code": rng.choice(own),
                "customer": rng.choice(people),
                "deliverer": "配送员",
            }
        else:
            event = {"kind": "return", "code": rng.choice(own), "customer": rng.choice(people)}
        event["id"] = f"b{batch_no}-{i}"
        event["at"] = at.isoformat()
        events.append(event)
    return json.dumps({"events": events}, ensure_ascii=False)


def phase_ingest(total: int, size: int) -> dict[str, Any]:
    from django.test import Client
    from django.utils import timezone

    from zhujian.domains.lpg.models import ScanEvent

    tokens = json.loads(Path(os.environ["LPG_BENCH_TOKENS"]).read_text())
    devices = list(tokens.values())
    cylinders, users, everything = _pools()
    client = Client()
    rng = random.Random(7)
    before = ScanEvent.objects.count()
    batches = -(-total // size)
    per_day = 10_000
    step = dt.timedelta(seconds=86400 / per_day)  # ~10,000 scans a day in all
    clock = timezone.make_aware(dt.datetime.combine(START, dt.time(6)))
    counts = {"accepted": 0, "refused": 0, "duplicates": 0, "errors": 0}
    inside = 0.0
    t0 = time.perf_counter()
    last_body, last_auth = "", ""
    for n in range(batches):
        device = devices[n % len(devices)]
        this = min(size, total - n * size)
        body = _body(rng, n, this, device["station"], cylinders, users, everything, clock, step)
        clock += step * this
        auth = f"Device {device['token']}"
        t = time.perf_counter()
        response = client.post(
            "/api/lpg/scans/", body, content_type="application/json", HTTP_AUTHORIZATION=auth
        )
        inside += time.perf_counter() - t
        if response.status_code != 200:
            raise SystemExit(f"batch {n}: HTTP {response.status_code} {response.content[:300]!r}")
        data = response.json()
        for key in counts:
            counts[key] += data[key]
        last_body, last_auth = body, auth
        if n % 200 == 199:
            print(
                f"  {((n + 1) * size):>9,} events  {(n + 1) * size / inside:,.0f}/s in requests",
                file=sys.stderr,
                flush=True,
            )
    wall = time.perf_counter() - t0
    again = client.post(
        "/api/lpg/scans/", last_body, content_type="application/json", HTTP_AUTHORIZATION=last_auth
    ).json()
    _analyze()
    return {
        "events": total,
        "batches": batches,
        "batch_size": size,
        "seconds_in_requests": inside,
        "seconds_wall": wall,
        "events_per_s": total / inside,
        "events_per_s_wall": total / wall,
        "ms_per_batch": inside * 1000 / batches,
        **counts,
        "stored": ScanEvent.objects.count() - before,
        "resent_batch_duplicates": again["duplicates"],
        "resent_batch_accepted": again["accepted"],
        "peak_mb": _peak_mb(),
    }


# --- phase 3: the trace of a busy cylinder -----------------------------------------------


def phase_trace() -> dict[str, Any]:
    from django.db.models import Count
    from django.test import Client

    from zhujian.core.models import User
    from zhujian.domains.lpg import trace
    from zhujian.domains.lpg.models import Cylinder, ScanEvent

    busiest = (
        ScanEvent.objects.filter(cylinder__isnull=False, scanned_on__gte=START)
        .values("cylinder")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    cylinder = Cylinder.objects.get(pk=busiest["cylinder"])
    admin = User.objects.get(username="admin")

    def timed(fn: Any, repeat: int = 20) -> float:
        fn()
        runs = []
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t)
        return statistics.median(runs) * 1000

    client = Client()
    client.force_login(admin)
    url = f"/lpg/cylinders/{cylinder.code}/"
    assert client.get(url).status_code == 200
    return {
        "scan_rows": ScanEvent.objects.count(),
        "cylinder": cylinder.code,
        "steps": len(trace.cylinder_trace(cylinder)),
        "trace_ms": timed(lambda: trace.cylinder_trace(cylinder)),
        "trace_scoped_ms": timed(lambda: trace.cylinder_trace(cylinder, admin)),
        "page_ms": timed(lambda: client.get(url)),
        "peak_mb": _peak_mb(),
    }


# --- driver ------------------------------------------------------------------------------


def _pg_admin(url: str, sql: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    with psycopg.connect(
        urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True
    ) as c:
        c.execute(sql)


def _child(phase: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench", "lpg_scans", "--phase", phase, *args],
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"phase {phase} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_backend(args: argparse.Namespace, postgres: bool) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="zhujian-lpg-bench-"))
    env = {
        **os.environ,
        "ZHUJIAN_VAR_DIR": str(work / "var"),
        "ZHUJIAN_DEBUG": "0",
        "ZHUJIAN_SECRET_KEY": os.environ.get("ZHUJIAN_SECRET_KEY", "bench"),
        "LPG_BENCH_TOKENS": str(work / "tokens.json"),
    }
    name = ""
    if postgres:
        from urllib.parse import urlsplit

        env["DATABASE_URL"] = args.pg_url
        name = urlsplit(args.pg_url).path.lstrip("/")
        _pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(args.pg_url, f'CREATE DATABASE "{name}"')
    else:
        env.pop("DATABASE_URL", None)
    backend = "PostgreSQL" if postgres else "SQLite"
    try:
        prepared = _child("prepare", env, "--cylinders", str(args.cylinders))
        print(
            f"{backend}: register {prepared['cylinders']:,} cylinders, {prepared['customers']:,} "
            f"users, {prepared['devices']} devices in {prepared['seconds']:.0f} s"
        )
        ingested = _child("ingest", env, "--events", str(args.events), "--batch", str(args.batch))
        print(
            f"{backend}: {ingested['events']:,} events in {ingested['batches']:,} batches of "
            f"{ingested['batch_size']}: {ingested['events_per_s']:,.0f} events/s in requests "
            f"({ingested['ms_per_batch']:.0f} ms a batch), {ingested['events_per_s_wall']:,.0f}/s "
            f"with generation; peak RSS {ingested['peak_mb']:.0f} MB; accepted "
            f"{ingested['accepted']:,}, refused {ingested['refused']:,}; re-sent batch: "
            f"{ingested['resent_batch_duplicates']} duplicates, {ingested['resent_batch_accepted']} new"
        )
        traced = _child("trace", env)
        print(
            f"{backend}: trace of {traced['cylinder']} ({traced['steps']} steps among "
            f"{traced['scan_rows']:,} scans): {traced['trace_ms']:.1f} ms query, "
            f"{traced['page_ms']:.1f} ms page"
        )
        return {"backend": backend, "prepare": prepared, "ingest": ingested, "trace": traced}
    finally:
        if postgres and not args.keep:
            _pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench lpg_scans", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--cylinders", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--all", action="store_true", help="SQLite, then PostgreSQL")
    parser.add_argument("--pg-url", default=os.environ.get("LPG_BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--phase", choices=["prepare", "ingest", "trace"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        _setup()
        if args.phase == "prepare":
            result = phase_prepare(args.cylinders)
        elif args.phase == "ingest":
            result = phase_ingest(args.events, args.batch)
        else:
            result = phase_trace()
        print(json.dumps(result, ensure_ascii=False))
        return
    results = []
    for postgres in [False, True] if args.all else [args.postgres]:
        results.append(run_backend(args, postgres))
    print(json.dumps(results, ensure_ascii=False))
