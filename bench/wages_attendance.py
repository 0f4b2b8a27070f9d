"""Benchmark: a county's gate attendance imported, then the monthly arrears check.

    ./dev.sh bench wages_attendance                       # SQLite, 5,000 workers × 180 days, CSV
    ./dev.sh bench wages_attendance --format xlsx         # the same rows as one .xlsx
    ./dev.sh bench wages_attendance --postgres            # PostgreSQL (zj_wages_bench, recreated)
    ./dev.sh bench wages_attendance --workers 1000 --days 60

Steps:
1. ``prepare`` (not timed as part of the import): migrate, build the demo county, register
   ``--workers`` workers on the demo's on-site projects, and pay sheets + payments from the
   special account for each worker and month January–May with ~3 % left unpaid;
2. write the attendance file the way a gate device exports it (人员编号, 考勤日期, 工时):
   every worker on each of ``--days`` consecutive days from 2022-01-03 (900,000 rows);
3. ``import`` in a fresh process: the file through the bulk import engine
   (``zhujian.imports.engine.import_file``: every cell validated, scope, all or nothing);
4. ``check`` in a fresh process: ``wages.arrears.check`` for each month January–June as of
   2022-07-31 (one aggregate query per month; hazards opened), then again (idempotent).

Each measured step runs in its own process so that its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/zj_wages_bench"
LEDGER = "wages_attendance"
USER = "jianzhu"
FIRST_DAY = dt.date(2022, 1, 3)
AS_OF = dt.date(2022, 7, 31)
MONTHS = [dt.date(2022, m, 1) for m in range(1, 7)]


def _setup(var_dir: str) -> None:
    os.environ["ZHUJIAN_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhujian.settings")
    import django

    django.setup()


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _recreate_pg(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare(workers: int) -> list[str]:
    """Build the county and its workers, pay sheets and payments; returns worker codes."""
    from django.core.management import call_command
    from simple_history.utils import bulk_create_with_history

    call_command("migrate", verbosity=0)
    from zhujian.core.models import User
    from zhujian.demo import run
    from zhujian.domains.construction.models import ConstructionProject
    from zhujian.domains.wages.models import (
        Attendance,
        PayLine,
        PaySheet,
        ProjectWageSetup,
        WagePayment,
        Worker,
    )
    from zhujian.domains.wages.models.accounts import pay_deadline
    from zhujian.hazards.models import Hazard

    run.build(seed=2022, log=lambda _m: None)
    Attendance.objects.all().delete()
    Hazard.objects.filter(line="wages").delete()
    admin = User.objects.get(username="admin")
    rng = random.Random(16)
    with_setup = set(ProjectWageSetup.objects.values_list("project_id", flat=True))
    projects = list(
        ConstructionProject.objects.filter(contractor__isnull=False, started_on__isnull=False)
        .exclude(pk__in=with_setup)
        .order_by("pk")[: max(1, workers // 50)]
    )
    setups = [
        ProjectWageSetup(
            project=p,
            org_unit_id=p.org_unit_id,
            account_bank="中国农业银行",
            account_number=f"62284800{p.pk:011d}",
            account_opened_on=dt.date(2021, 12, 1),
            guarantee_kind="deposit",
            guarantee_amount=Decimal(300000),
            officer="劳资员",
            notice_board=True,
        )
        for p in projects
    ]
    for s in setups:
        s.derive()
    bulk_create_with_history(setups, ProjectWageSetup, batch_size=1000, default_user=admin)
    from zhujian.core import personal

    rows = []
    for i in range(workers):
        project = projects[i % len(projects)]
        first17 = f"371312{1970 + i % 30}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
        rows.append(
            Worker(
                org_unit_id=project.org_unit_id,
                code=f"BW{i + 1:06d}",
                project=project,
                employer_id=project.contractor_id,
                name=f"工人{i + 1}",
                id_number=first17 + personal.id_check_digit(first17),
                trade="labourer",
                contract_signed_on=dt.date(2021, 12, 20),
                realname_on=dt.date(2021, 12, 20),
                bank_card=f"62220200{i:011d}",
                entered_on=dt.date(2022, 1, 1),
            )
        )
    saved = bulk_create_with_history(rows, Worker, batch_size=2000, default_user=admin)
    sheets, lines, payments = [], [], []
    by_project: dict[int, list[Worker]] = {}
    for w in saved:
        by_project.setdefault(w.project_id, []).append(w)
    for month in MONTHS[:-1]:
        for project in projects:
            due = pay_deadline(month)
            sheet = PaySheet(
                org_unit_id=project.org_unit_id,
                number=f"BGZ{month:%Y%m}-{project.pk}",
                project=project,
                employer_id=project.contractor_id,
                month=month,
                submitted_on=due - dt.timedelta(days=5),
                paid_on=due - dt.timedelta(days=1),
            )
            sheets.append(sheet)
            for w in by_project.get(project.pk, []):
                lines.append((sheet, w))
    bulk_create_with_history(sheets, PaySheet, batch_size=2000, default_user=admin)
    line_objs = []
    for sheet, w in lines:
        line_objs.append(
            PayLine(
                org_unit_id=sheet.org_unit_id,
                sheet=sheet,
                worker=w,
                days=Decimal(22),
                gross=Decimal(6000),
                net=Decimal(6000),
                signed=True,
            )
        )
        if rng.random() < 0.97:
            payments.append(
                WagePayment(
                    org_unit_id=sheet.org_unit_id,
                    number=f"BYH{len(payments) + 1:09d}",
                    sheet=sheet,
                    worker=w,
                    payee_card=w.bank_card,
                    amount=Decimal(6000),
                    paid_on=sheet.paid_on,
                    project_id=sheet.project_id,
                    month=sheet.month,
                )
            )
    bulk_create_with_history(line_objs, PayLine, batch_size=2000, default_user=admin)
    bulk_create_with_history(payments, WagePayment, batch_size=2000, default_user=admin)
    return [w.code for w in saved]


def write_file(path: Path, codes: list[str], days: int, fmt: str) -> int:
    rng = random.Random(7)
    header = ["人员编号", "考勤日期", "工时（小时）"]
    dates = [(FIRST_DAY + dt.timedelta(days=d)).isoformat() for d in range(days)]
    hours = ["8", "8", "8", "9", "10", "7.5"]
    n = 0
    if fmt == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(header)
            for day in dates:
                for code in codes:
                    out.writerow((code, day, rng.choice(hours)))
                    n += 1
        return n
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("数据")
    ws.append(header)
    for day in dates:
        parsed = dt.date.fromisoformat(day)
        for code in codes:
            ws.append([code, parsed, float(rng.choice(hours))])
            n += 1
    wb.save(path)
    return n


def _server_cpu() -> float:
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def phase_import(path: str) -> dict[str, Any]:
    from zhujian.core.models import User
    from zhujian.core.registry import registry
    from zhujian.domains.wages.models import Attendance
    from zhujian.imports.engine import import_file

    user = User.objects.select_related("org_unit").get(username=USER)
    cpu0 = time.process_time() + _server_cpu()
    t0 = time.perf_counter()
    result = import_file(registry.get(LEDGER), path, user)
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "cpu_s": time.process_time() + _server_cpu() - cpu0,
        "rows": result.rows,
        "created": result.created,
        "unchanged": result.unchanged,
        "errors": [str(e) for e in result.errors[:5]],
        "records": Attendance.objects.count(),
        "peak_mb": _peak_mb(),
    }


def phase_check(_path: str) -> dict[str, Any]:
    from django.db import connection

    from zhujian.domains.wages import arrears

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    out: dict[str, Any] = {"months": []}
    t_all = time.perf_counter()
    for month in MONTHS:
        t0 = time.perf_counter()
        rows = arrears.unpaid(month, AS_OF)
        query_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        first = arrears.check(month, AS_OF)
        check_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = arrears.check(month, AS_OF)
        again_s = time.perf_counter() - t0
        out["months"].append(
            {
                "month": f"{month:%Y-%m}",
                "unpaid_workers": len(rows),
                "projects": first.projects,
                "query_s": query_s,
                "check_s": check_s,
                "opened": len(first.opened),
                "again_s": again_s,
                "again_opened": len(again.opened),
                "again_updated": len(again.updated),
            }
        )
    out["seconds"] = time.perf_counter() - t_all
    out["peak_mb"] = _peak_mb()
    return out


def _run(phase: str, env: dict[str, str], path: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "wages_attendance", "--phase", phase, str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"phase {phase} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench wages_attendance")
    parser.add_argument("--workers", type=int, default=5000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--postgres", nargs="?", const=DEFAULT_PG_URL, help="PostgreSQL URL")
    parser.add_argument("--keep", help="work in this directory and keep it")
    parser.add_argument("--phase", choices=["import", "check"], help=argparse.SUPPRESS)
    parser.add_argument("file", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase:
        _setup(os.environ["ZHUJIAN_VAR_DIR"])
        fn = phase_import if args.phase == "import" else phase_check
        print(json.dumps(fn(args.file), ensure_ascii=False))
        return

    work = Path(args.keep or tempfile.mkdtemp(prefix="zhujian-wages-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    var_dir = str(work / "var")
    for leftover in Path(var_dir).glob("zhujian.sqlite3*"):
        leftover.unlink()
    env = {
        **os.environ,
        "ZHUJIAN_VAR_DIR": var_dir,
        "ZHUJIAN_DEBUG": "0",
        "ZHUJIAN_SECRET_KEY": os.environ.get("ZHUJIAN_SECRET_KEY", "bench"),
    }
    if args.postgres:
        _recreate_pg(args.postgres)
        env["DATABASE_URL"] = os.environ["DATABASE_URL"] = args.postgres
    else:
        env.pop("DATABASE_URL", None)
        os.environ.pop("DATABASE_URL", None)
    _setup(var_dir)
    t0 = time.perf_counter()
    codes = prepare(args.workers)
    print(
        f"prepared county, {len(codes):,} workers, pay sheets and payments in {time.perf_counter() - t0:.1f} s"
    )
    path = work / f"attendance.{args.format}"
    t0 = time.perf_counter()
    rows = write_file(path, codes, args.days, args.format)
    print(
        f"wrote {rows:,} attendance rows ({path.stat().st_size / 2**20:.1f} MB {args.format}) in {time.perf_counter() - t0:.1f} s"
    )
    backend = "PostgreSQL" if args.postgres else "SQLite"
    imported = _run("import", env, path)
    if imported["errors"]:
        raise SystemExit(f"import refused: {imported['errors']}")
    print(
        f"[{backend}] import : {imported['seconds']:7.1f} s  {imported['rows'] / imported['seconds']:>9,.0f} rows/s"
        f"  cpu {imported['cpu_s']:6.1f} s  peak RSS {imported['peak_mb']:.0f} MB  created {imported['created']:,}"
    )
    checked = _run("check", env, path)
    for m in checked["months"]:
        print(
            f"[{backend}] check {m['month']}: query {m['query_s'] * 1000:7.0f} ms  check {m['check_s'] * 1000:7.0f} ms"
            f"  unpaid {m['unpaid_workers']:,} workers on {m['projects']} projects, hazards +{m['opened']}"
            f"  rerun {m['again_s'] * 1000:.0f} ms (+{m['again_opened']} ~{m['again_updated']})"
        )
    print(
        f"[{backend}] check all months: {checked['seconds']:.1f} s  peak RSS {checked['peak_mb']:.0f} MB"
    )
    print(json.dumps({"rows": rows, "import": imported, "check": checked}, ensure_ascii=False))
