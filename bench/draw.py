"""Benchmark: a resettlement draw (分房摇号) of N households, end to end and by parts.

    python -m bench draw                      # SQLite, 500 / 5,000 / 50,000 households
    python -m bench draw --postgres           # PostgreSQL (DATABASE_URL of --pg-url)
    python -m bench draw --sizes 1000,20000
    python -m bench draw --memory --sizes 50000   # no database: the files and the check

For each size, in a fresh database (a subprocess per backend, as ``report_build`` does):
the round's households and units are inserted (not timed), then it times

- ``freeze``: build the list document from the rows, canonical JSON, SHA-256, save;
- ``run``: seed, the algorithm, the result rows (``bulk_create``), save;
- ``write``: write the Excel announcement (once, when the result is published);
- ``check``: the announcement check anyone runs — read the Excel announcement back and
  recompute and compare everything (``files.load`` + ``files.verify``);
- ``check json``: the same from the JSON round file;
- ``algorithm``: ``assign()`` alone, on the same list (pure Python, no database): the
  floor, measured in the same run. ``ratio`` = check / algorithm (issue 28: it was 27×,
  the goal 3×).

Households are split into three groups (户型), units one in ten more than households.
``--memory`` builds the same round in memory (no database, no migrations) and times the
files, the check and the floor only.
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

    published = dt.datetime(2022, 4, 1, 8, tzinfo=dt.UTC)
    rnd.beacon_source, rnd.beacon_issue = "中国福利彩票3D", "2022100"
    rnd.beacon_date = dt.date(2022, 4, 20)
    rnd.save()
    rnd = timed("freeze", lambda: service.freeze(rnd, user, at=published))
    for k, digits in enumerate(("0815", "4409", "27")):
        service.add_input(rnd, f"代表{k}", digits, user, at=published + dt.timedelta(days=1))
    drawn = published + dt.timedelta(days=20)
    service.set_beacon(rnd, "3 7 2", user, at=drawn)
    rnd = timed("run", lambda: service.run(rnd, user, "签发人", at=drawn))
    return {"size": size, **_files_and_check(files.from_round(rnd), algorithm, files, timings)}


def _files_and_check(rf: Any, algorithm: Any, files: Any, timings: dict[str, float]) -> dict:
    """Write the announcement, check it (Excel and JSON) and run the floor, CPU seconds."""

    def cpu(name: str, fn: Any) -> Any:
        started = time.process_time()
        out = fn()
        timings[name] = time.process_time() - started
        return out

    buffer = BytesIO()
    cpu("write", lambda: files.write_xlsx(rf, buffer))
    data, as_json = buffer.getvalue(), files.to_json(rf)
    ok = cpu("check", lambda: files.verify(files.load(data), rf.seed).ok)
    ok_json = cpu("check_json", lambda: files.verify(files.load(as_json), rf.seed).ok)
    cpu("algorithm", lambda: algorithm.assign(rf.list, rf.seed))
    return {"ok": ok and ok_json, **{k: round(v, 3) for k, v in timings.items()}}


def memory(size: int) -> dict[str, Any]:
    """The round of ``child`` built in memory: the files, the check and the floor."""
    import django

    django.setup()
    from zhujian.domains.housing.draw import algorithm, files

    groups = ["A组（两室）", "B组（三室）", "C组（四室）"]
    doc = {
        "format": algorithm.LIST_FORMAT,
        "round": {"code": "BENCH-1", "name": "压力测试轮次", "project": "压力测试安置房"},
        "households": [
            {
                "seq": i,
                "code": f"H{i:06d}",
                "name": f"户主{i}",
                "id": "3713**********1234",
                "group": groups[i % 3],
            }
            for i in range(1, size + 1)
        ],
        "units": [
            {
                "seq": i,
                "code": f"{i // 100}号楼{i % 100}室",
                "group": groups[i % 3],
                "layout": "",
                "area": "88.50",
            }
            for i in range(1, size + size // 10 + 1)
        ],
        "beacon": {"source": "中国福利彩票3D", "issue": "2022100", "date": "2022-04-20"},
    }
    digest = algorithm.list_digest(doc)
    inputs = ["0815", "4409", "27"]
    seed = algorithm.seed_from(digest, inputs, "3 7 2")
    rf = files.RoundFile(
        list=doc,
        list_sha256=digest,
        inputs=[
            {"seq": k + 1, "by": f"代表{k}", "value": v, "at": ""} for k, v in enumerate(inputs)
        ],
        seed=seed,
        assignment=[a.as_dict() for a in algorithm.assign(doc, seed)],
        beacon_value="3 7 2",
    )
    timings: dict[str, float] = {"freeze": float("nan"), "run": float("nan")}
    return {"size": size, **_files_and_check(rf, algorithm, files, timings)}


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


def _s(seconds: float) -> str:
    return "—" if seconds != seconds else f"{seconds:.3f}"  # NaN: not measured (--memory)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench draw", description=__doc__)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--all", action="store_true", help="SQLite and PostgreSQL")
    parser.add_argument("--pg-url", default=os.environ.get("ZJ_BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--sizes", default="500,5000,50000")
    parser.add_argument("--memory", action="store_true", help="no database: files and check")
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child)))
        return
    backends = (
        ["sqlite", "postgresql"] if args.all else (["postgresql"] if args.postgres else ["sqlite"])
    )
    if args.memory:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhujian.settings")
        backends = ["memory"]
    header = (
        f"{'backend':<11} {'households':>10} {'freeze s':>9} {'run s':>7} {'write s':>8} "
        f"{'check s':>8} {'check json s':>13} {'algorithm s':>12} {'ratio':>6} {'json ratio':>10}"
    )
    print("CPU seconds; ratio = announcement check / the allocation (algorithm) in the same run")
    print(header)
    print("-" * len(header))
    results = []
    for backend in backends:
        for size in (int(s) for s in args.sizes.split(",") if s.strip()):
            r = memory(size) if backend == "memory" else run_one(backend, size, args.pg_url)
            flag = "" if r["ok"] else "  VERIFY FAILED"
            print(
                f"{backend:<11} {size:>10,} {_s(r['freeze']):>9} {_s(r['run']):>7} "
                f"{r['write']:>8.3f} {r['check']:>8.3f} {r['check_json']:>13.3f} "
                f"{r['algorithm']:>12.3f} {r['check'] / r['algorithm']:>5.1f}× "
                f"{r['check_json'] / r['algorithm']:>9.1f}×{flag}",
                flush=True,
            )
            results.append(
                {
                    "backend": backend,
                    "households": size,
                    **r,
                    "check_over_algorithm": r["check"] / r["algorithm"],
                }
            )
    if args.json:
        print(json.dumps(results, default=str))
