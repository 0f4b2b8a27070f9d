"""Benchmark: the leaders' dashboard and the half-year report at demo and county size.

    python -m bench dashboard                    # SQLite, demo and county size
    python -m bench dashboard --postgres         # PostgreSQL
    python -m bench dashboard --all              # both
    python -m bench dashboard --sizes county --repeat 9

Each (backend, size) runs in a subprocess with a fresh database (SQLite: a file under a
temporary ``ZHUJIAN_VAR_DIR``; PostgreSQL: ``zj_bench_dash``, dropped and created through
the ``postgres`` maintenance database, ``--pg-url`` to change), built with
``zhujian.demo.run.build(seed, size)`` — ``county`` is the county-scale demo (~300k rural
households) — and ``ANALYZE``d on PostgreSQL. Debug is off, as in production.

Timed, as the median of ``--repeat`` runs after one warm-up, each as the ``leader`` user
through Django's test client (the whole request: view, queries, template):

- ``/`` — the dashboard page (headline cards, monthly trends, overdue hazards);
- ``/dashboard/units.json?figure=…`` — the per-township comparison the page loads;
- ``build_report("2022H1")`` — the report, for comparison;

and the number of queries of one dashboard request. ``cpu ms`` columns: CPU time of this
process and, on PostgreSQL, of its server backend (read from ``/proc``: the server must
run on this machine) — the figure to compare when the machine is busy with other work.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/zj_bench_dash"


def _server_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend so far (0 on SQLite, whose
    work is this process's own); the server must run on this machine (/proc)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _median_ms(fn: Any, repeat: int) -> tuple[float, float, float]:
    """Median and minimum wall time, and median CPU time in ms: this process's plus, on
    PostgreSQL, its server backend's. CPU time is what to compare on a machine shared
    with other work (the kernel counts it in clock ticks: 10 ms)."""
    fn()  # warm-up: imports, templates, caches
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time() + _server_cpu()
        fn()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() + _server_cpu() - started_cpu) * 1000)
    return statistics.median(times), min(times), statistics.median(cpu)


def child(size: str, seed: int, repeat: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from zhujian.core.models import User
    from zhujian.demo import run
    from zhujian.domains.rural.models import ToiletHousehold
    from zhujian.reports.build import build_report
    from zhujian.web.dashboard import _chart_figures

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    run.build(seed=seed, size=size, log=lambda _m: None)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    load_s = time.perf_counter() - t0

    client = Client()
    client.force_login(User.objects.get(username="leader"))
    figure = _chart_figures()[0]

    def page() -> None:
        response = client.get("/", {"period": "2022H1"})
        assert response.status_code == 200, response.status_code

    def units() -> None:
        response = client.get("/dashboard/units.json", {"period": "2022H1", "figure": figure})
        assert response.status_code == 200, response.status_code

    dashboard_ms, dashboard_min, dashboard_cpu = _median_ms(page, repeat)
    units_ms, _, _ = _median_ms(units, repeat)
    report_ms, _, report_cpu = _median_ms(lambda: build_report("2022H1"), repeat)
    with CaptureQueriesContext(connection) as queries:
        page()
    return {
        "backend": connection.vendor,
        "size": size,
        "households": ToiletHousehold.objects.count(),
        "dashboard_ms": dashboard_ms,
        "dashboard_min_ms": dashboard_min,
        "dashboard_cpu_ms": dashboard_cpu,
        "report_cpu_ms": report_cpu,
        "units_ms": units_ms,
        "report_ms": report_ms,
        "queries": len(queries.captured_queries),
        "load_s": load_s,
    }


def _pg_admin(url: str, sql: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def run_one(backend: str, size: str, args: argparse.Namespace) -> dict[str, Any]:
    from urllib.parse import urlsplit

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="zhujian.settings",
        ZHUJIAN_DEBUG="0",
        ZHUJIAN_SECRET_KEY=env.get("ZHUJIAN_SECRET_KEY", "bench-only-not-secret"),
        ZHUJIAN_ALLOWED_HOSTS="testserver",
        ZHUJIAN_SECURE_COOKIES="0",
    )
    env.pop("DATABASE_URL", None)
    name = urlsplit(args.pg_url).path.lstrip("/")
    with tempfile.TemporaryDirectory(prefix="zj-bench-dash-") as var_dir:
        env["ZHUJIAN_VAR_DIR"] = var_dir
        if backend == "postgresql":
            env["DATABASE_URL"] = args.pg_url
            _pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _pg_admin(args.pg_url, f'CREATE DATABASE "{name}"')
        try:
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench",
                    "dashboard",
                    "--child",
                    size,
                    "--seed",
                    str(args.seed),
                    "--repeat",
                    str(args.repeat),
                ],
                env=env,
                cwd=Path(__file__).resolve().parents[1],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                sys.stderr.write(done.stdout + done.stderr)
                raise SystemExit(f"{backend} {size} failed")
            return json.loads(done.stdout.strip().splitlines()[-1])
        finally:
            if backend == "postgresql":
                _pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench dashboard", description=__doc__)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--all", action="store_true", help="both SQLite and PostgreSQL")
    parser.add_argument("--pg-url", default=os.environ.get("ZJ_BENCH_DASH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--sizes", default="demo,county", help="demo and/or county")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--repeat", type=int, default=7, help="timed runs (median)")
    parser.add_argument("--child", metavar="SIZE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print(json.dumps(child(args.child, args.seed, args.repeat)))
        return

    backends = (
        ["sqlite", "postgresql"] if args.all else (["postgresql"] if args.postgres else ["sqlite"])
    )
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    header = (
        f"{'backend':<11} {'size':<7} {'households':>10} {'dashboard ms':>12} {'min ms':>7} "
        f"{'cpu ms':>7} {'units ms':>8} {'report ms':>9} {'cpu ms':>7} {'queries':>7} "
        f"{'load s':>7}"
    )
    print(f"GET / (period 2022H1, as leader) — median of {args.repeat} after a warm-up")
    print(header)
    print("-" * len(header))
    for backend in backends:
        for size in sizes:
            r = run_one(backend, size, args)
            print(
                f"{r['backend']:<11} {r['size']:<7} {r['households']:>10,} "
                f"{r['dashboard_ms']:>12.1f} {r['dashboard_min_ms']:>7.1f} "
                f"{r['dashboard_cpu_ms']:>7.1f} {r['units_ms']:>8.1f} {r['report_ms']:>9.1f} "
                f"{r['report_cpu_ms']:>7.1f} {r['queries']:>7} {r['load_s']:>7.1f}",
                flush=True,
            )
