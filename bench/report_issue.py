"""Benchmark: issuing (印发) the 2022H1 report vs rendering it live.

    python -m bench report_issue                   # SQLite, county size
    python -m bench report_issue --size demo       # quicker
    python -m bench report_issue --postgres        # PostgreSQL (zj_bench_issue database)

The child process migrates a fresh database, builds the demo county (``zhujian demo
--size county``: the full household survey), then times, median of ``--repeat`` after a
warm-up:

- **live**: ``build_report("2022H1")`` and rendering it in every format the report writer
  has (txt, md, html, docx, xlsx) — what issuing stores;
- **issue**: ``reports.issue.issue("2022H1")`` — the same, plus the lineage of every value
  (the record versions behind it) and writing files, values and lineage in one
  transaction (rolled back after each run, so the runs are alike).

Goal: issue ≤ 3 × live. It prints the ratio and the stored lineage's size (records and
compressed bytes).
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

PERIOD = "2022H1"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/zj_bench_issue"


class _Rollback(Exception):
    pass


def child(size: str, seed: int, repeat: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from zhujian.core.models import User
    from zhujian.demo import run
    from zhujian.reports import issue as issuing
    from zhujian.reports.build import build_report

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    run.build(seed=seed, size=size, log=lambda _m: None)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    load_s = time.perf_counter() - t0
    admin = User.objects.get(username="admin")

    def live() -> None:
        issuing.render_all(build_report(PERIOD, None, admin))

    result: dict[str, Any] = {}

    def issue() -> None:
        try:
            with transaction.atomic():
                issued = issuing.issue(PERIOD, admin)
                result["records"] = issued.lineage_records
                result["lineage_bytes"] = len(bytes(issued.lineage))
                result["values"] = len(issued.values)
                result["file_bytes"] = sum(len(bytes(f.content)) for f in issued.files.all())
                raise _Rollback
        except _Rollback:
            pass

    def timed(fn: Any) -> list[float]:
        fn()  # warm-up
        out = []
        for _ in range(repeat):
            started = time.perf_counter()
            fn()
            out.append((time.perf_counter() - started) * 1000)
        return out

    live_ms = timed(live)
    issue_ms = timed(issue)
    from zhujian.core.registry import registry

    rows = sum(lg.model._default_manager.count() for lg in registry)
    return {
        "size": size,
        "backend": connection.vendor,
        "rows": rows,
        "live_ms": statistics.median(live_ms),
        "issue_ms": statistics.median(issue_ms),
        "load_s": load_s,
        **result,
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench report_issue", description=__doc__)
    parser.add_argument("--size", default="county", choices=["demo", "county"])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--pg-url", default=os.environ.get("ZJ_BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.size, args.seed, args.repeat)))
        return

    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "zhujian.settings"
    env["ZHUJIAN_DEBUG"] = "0"
    env.setdefault("ZHUJIAN_SECRET_KEY", "bench-only-not-secret")
    env.setdefault("ZHUJIAN_DATA_KEYS", "bench:" + "44" * 32)
    env.pop("DATABASE_URL", None)
    from bench.report_build import _pg_admin, _pg_name

    with tempfile.TemporaryDirectory(prefix="zj-bench-issue-") as var_dir:
        env["ZHUJIAN_VAR_DIR"] = var_dir
        if args.postgres:
            env["DATABASE_URL"] = args.pg_url
            name = _pg_name(args.pg_url)
            _pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _pg_admin(args.pg_url, f'CREATE DATABASE "{name}"')
        try:
            command = [sys.executable, "-m", "bench", "report_issue", "--child"]
            command += ["--size", args.size, "--seed", str(args.seed)]
            command += ["--repeat", str(args.repeat)]
            done = subprocess.run(
                command,
                env=env,
                cwd=Path(__file__).resolve().parents[1],
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            if args.postgres:
                _pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit("benchmark failed")
    r = json.loads(done.stdout.strip().splitlines()[-1])
    ratio = r["issue_ms"] / r["live_ms"]
    print(f"issue {PERIOD} at {r['size']} size on {r['backend']}: {r['rows']:,} ledger rows")
    print(f"  render live (build + 5 formats): {r['live_ms']:8.1f} ms (median of {args.repeat})")
    print(f"  issue (same + lineage, stored):  {r['issue_ms']:8.1f} ms")
    print(f"  ratio issue / live: {ratio:.2f}×  (goal ≤ 3×){'' if ratio <= 3 else '  — OVER GOAL'}")
    print(
        f"  stored lineage: {r['records']:,} record versions for {r['values']} values, "
        f"{r['lineage_bytes']:,} bytes compressed; files {r['file_bytes']:,} bytes"
    )
