"""Benchmark: a resettlement draw (分房摇号) of N households, end to end and by parts.

    python -m bench draw                      # SQLite, 500 / 5,000 / 50,000 households
    python -m bench draw --postgres           # PostgreSQL (DATABASE_URL of --pg-url)
    python -m bench draw --sizes 1000,20000

For each size, in a fresh database (a subprocess per backend, as ``report_build`` does):
the round's households and units are inserted (not timed), then it times

- ``freeze``: build the list document from the rows, canonical JSON, SHA-256, save;
- ``run``: seed, the algorithm, the result rows (``bulk_create``), save;
- ``verify``: write the Excel announcement, read it back and recompute everything;
- ``algorithm``: ``assign()`` alone, on the same list (pure Python, no database).

Households are split into three groups (户型), units one in ten more than households.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/zj_bench"


def child(size: int) -> dict[str, Any]:
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command

    from zhujian.core.models import OrgUnit, User
    from zhujian.domains.housing.draw import algorithm, files, service
    from zhujian.domains.housing.models import (
        AllocationRound,
        RoundHousehold,
        RoundUnit,
        ShantytownProject,
    )

    call_command("migrate", verbosity=0)
    county = OrgUnit.objects.create(code="371399000000", name="示例县", kind="county")
    user = User.objects.create(username="bench", is_superuser=True, role="admin")
    project = ShantytownProject.objects.create(
        org_unit=county,
        code="BENCH",
        name="压力测试安置房",
        approved_on=dt.date(2019, 1, 1),
        foundation_on=dt.date(2019, 5, 1),
        structure_on=dt.date(2019, 10, 1),
        topped_out_on=dt.date(2020, 12, 1),
        acceptance_on=dt.date(2021, 3, 1),
        accepted_on=dt.date(2021, 8, 1),
    )
    rnd = AllocationRound.objects.create(
        org_unit=county,
        code="BENCH-1",
        name="压力测试轮次",
        project=project,
        scheduled_on=dt.date(2022, 5, 1),
    )
    groups = ["A组（两室）", "B组（三室）", "C组（四室）"]
    RoundHousehold.objects.bulk_create(
        RoundHousehold(
            org_unit=county,
            round=rnd,
            seq=i,
            household_code=f"H{i:06d}",
            head_name=f"户主{i}",
            id_number="3713**********1234",
            group=groups[i % 3],
        )
        for i in range(1, size + 1)
    )
    RoundUnit.objects.bulk_create(
        RoundUnit(
            org_unit=county,
            round=rnd,
            seq=i,
            code=f"{i // 100}号楼{i % 100}室",
            group=groups[i % 3],
            floor_area=Decimal("88.50"),
        )
        for i in range(1, size + size // 10 + 1)
    )
    timings: dict[str, float] = {}

    def timed(name: str, fn: Any) -> Any:
        started = time.perf_counter()
        out = fn()
        timings[name] = time.perf_counter() - started
        return out

    rnd = timed("freeze", lambda: service.freeze(rnd, user))
    for k, digits in enumerate(("0815", "4409", "27")):
        service.add_input(rnd, f"代表{k}", digits, user)
    rnd = timed("run", lambda: service.run(rnd, user, "签发人"))

    def verify() -> bool:
        buffer = BytesIO()
        files.write_xlsx(files.from_round(rnd), buffer)
        return files.verify(files.read_xlsx(BytesIO(buffer.getvalue())), rnd.seed).ok

    ok = timed("verify", verify)
    document = json.loads(rnd.published_list.document)
    timed("algorithm", lambda: algorithm.assign(document, rnd.seed))
    return {"size": size, "ok": ok, **{k: round(v, 3) for k, v in timings.items()}}


def _pg_admin(url: str, sql: str) -> None:
    from bench.report_build import _pg_admin as admin

    admin(url, sql)


def run_one(backend: str, size: int, pg_url: str) -> dict[str, Any]:
    from bench.report_build import _pg_name

    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "zhujian.settings"
    env["ZHUJIAN_DEBUG"] = "0"
    env.setdefault("ZHUJIAN_SECRET_KEY", "bench-only-not-secret")
    env.pop("DATABASE_URL", None)
    with tempfile.TemporaryDirectory(prefix="zj-bench-draw-") as var_dir:
        env["ZHUJIAN_VAR_DIR"] = var_dir
        if backend == "postgresql":
            env["DATABASE_URL"] = pg_url
            name = _pg_name(pg_url)
            _pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _pg_admin(pg_url, f'CREATE DATABASE "{name}"')
        try:
            done = subprocess.run(
                [sys.executable, "-m", "bench", "draw", "--child", str(size)],
                env=env,
                cwd=Path(__file__).resolve().parents[1],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                sys.stderr.write(done.stdout + done.stderr)
                raise SystemExit(f"{backend} {size} failed")
            return {"backend": backend, **json.loads(done.stdout.strip().splitlines()[-1])}
        finally:
            if backend == "postgresql":
                _pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{_pg_name(pg_url)}" WITH (FORCE)')


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench draw", description=__doc__)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--all", action="store_true", help="SQLite and PostgreSQL")
    parser.add_argument("--pg-url", default=os.environ.get("ZJ_BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--sizes", default="500,5000,50000")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child)))
        return
    backends = (
        ["sqlite", "postgresql"] if args.all else (["postgresql"] if args.postgres else ["sqlite"])
    )
    header = f"{'backend':<11} {'households':>10} {'freeze s':>9} {'run s':>7} {'verify s':>9} {'algorithm s':>12}"
    print(header)
    print("-" * len(header))
    for backend in backends:
        for size in (int(s) for s in args.sizes.split(",") if s.strip()):
            r = run_one(backend, size, args.pg_url)
            flag = "" if r["ok"] else "  VERIFY FAILED"
            print(
                f"{backend:<11} {size:>10,} {r['freeze']:>9.3f} {r['run']:>7.3f} "
                f"{r['verify']:>9.3f} {r['algorithm']:>12.3f}{flag}",
                flush=True,
            )
