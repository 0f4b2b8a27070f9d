"""Benchmark: import a month of a county's sale contracts (50,000 rows) from Excel.

    python -m bench import_sales_contracts [--rows 50000] [--keep DIR]
    DATABASE_URL=postgres://…/zj_market python -m bench import_sales_contracts

The file is what the housing-transaction system exports (网签备案): contract and filing
numbers, project, unit, use, area, price, buyer with phone and ID number (personal
fields, validated with their check digit), signing and filing dates. Steps, each timed:

1. build the demo county in a throw-away SQLite database (``ZHUJIAN_VAR_DIR`` = a temp
   dir), or reset and rebuild the database ``DATABASE_URL`` names;
2. write ``--rows`` contracts of July 2022 under the import template's headers
   (openpyxl, write-only);
3. in a fresh process: read the file with python-calamine only — the floor;
4. in a fresh process: import it as the real-estate department (full validation, the
   model's rules, scope, audit history);
5. in a fresh process: import the same file again (must change nothing: idempotent by
   contract number).

Each measured step runs in its own process so that its peak RSS (``VmHWM``) is its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

LEDGER = "realestate_salescontract"
USER = "fangchan"
MONTH = dt.date(2022, 7, 1)


def _setup_django(var_dir: str) -> None:
    os.environ["ZHUJIAN_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhujian.settings")
    import django

    django.setup()


def _peak_mb() -> float:
    """This process's peak RSS. ``VmHWM`` is per address space, so a child started by
    the (large) parent reports its own peak; ``ru_maxrss`` survives fork and exec and
    would report at least the parent's size."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def build_database() -> None:
    from django.core.management import call_command

    from zhujian.core.models import OrgUnit
    from zhujian.demo import run

    call_command("migrate", verbosity=0)
    if OrgUnit.objects.exists():  # a PostgreSQL database used before: start again
        run.reset()
    run.build(seed=2022, log=lambda _m: None)


def write_file(path: Path, rows: int, seed: int = 1) -> None:
    """``rows`` contracts signed in July 2022 across the demo's selling projects."""
    from openpyxl import Workbook

    from zhujian.core.personal import id_check_digit
    from zhujian.core.registry import registry
    from zhujian.domains.realestate.models import PresalePermit
    from zhujian.imports.columns import build_columns

    headers = [c.header for c in build_columns(registry.get(LEDGER))]
    projects = sorted(set(PresalePermit.objects.values_list("project__code", flat=True)))
    rng = random.Random(seed)
    names = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"
    uses = ["住宅"] * 8 + ["商业", "车位车库"]
    wb = Workbook(write_only=True)
    out = wb.create_sheet("数据")
    out.append(headers)
    for n in range(1, rows + 1):
        signed = MONTH + dt.timedelta(days=rng.randrange(31))
        use = rng.choice(uses)
        area = round(rng.uniform(85, 145) if use != "车位车库" else rng.uniform(12, 40), 2)
        price = round(area * rng.uniform(5000, 7500), 2) if use != "车位车库" else 80000
        born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(365 * 40))
        first17 = f"371399{born:%Y%m%d}{rng.randrange(1000):03d}"
        filed = signed + dt.timedelta(days=rng.randint(1, 40)) if rng.random() < 0.8 else None
        values = {
            "合同编号": f"WQ{MONTH:%Y%m}B{n:07d}",
            "备案号": f"BA{MONTH:%Y}B{n:07d}" if filed else None,
            "开发项目": rng.choice(projects),
            "楼栋": f"{rng.randint(1, 18)}#",
            "房号": f"{rng.randint(1, 3)}-{rng.randint(1, 26)}{rng.randint(1, 4):02d}",
            "房屋用途": use,
            "建筑面积（平方米）": area,
            "合同总价（元）": price,
            "买受人": rng.choice(names) + rng.choice(given) + rng.choice(given),
            "买受人电话": "1" + rng.choice("3589") + f"{rng.randrange(10**9):09d}",
            "买受人身份证号": first17 + id_check_digit(first17),
            "网签日期": signed,
            "备案日期": filed,
        }
        out.append([values.get(h) for h in headers])
    wb.save(path)


def phase_read(path: str) -> dict[str, Any]:
    from python_calamine import CalamineWorkbook

    t0 = time.perf_counter()
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_name("数据")
    n = sum(1 for _ in sheet.iter_rows())
    return {"seconds": time.perf_counter() - t0, "rows": n - 1, "peak_mb": _peak_mb()}


def phase_import(path: str) -> dict[str, Any]:
    from django.db import connection

    from zhujian.core.models import User
    from zhujian.core.registry import registry
    from zhujian.domains.realestate.models import SalesContract
    from zhujian.imports.engine import import_file

    user = User.objects.select_related("org_unit").get(username=USER)
    history_before = SalesContract.history.count()
    t0 = time.perf_counter()
    result = import_file(registry.get(LEDGER), path, user)
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "errors": [str(e) for e in result.errors[:5]],
        "error_count": len(result.errors),
        "records": SalesContract.objects.count(),
        "history_added": SalesContract.history.count() - history_before,
        "peak_mb": _peak_mb(),
        "database": connection.vendor,
    }


def _run_phase(phase: str, var_dir: str, path: Path) -> dict[str, Any]:
    env = {**os.environ, "ZHUJIAN_VAR_DIR": var_dir}
    env.update(ZHUJIAN_DEBUG="0", ZHUJIAN_SECRET_KEY=env.get("ZHUJIAN_SECRET_KEY", "bench"))
    out = subprocess.run(
        [sys.executable, "-m", "bench", "import_sales_contracts", "--phase", phase, str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"phase {phase} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench import_sales_contracts")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--keep", help="work in this directory and keep it")
    parser.add_argument("--phase", choices=["read", "import"], help=argparse.SUPPRESS)
    parser.add_argument("file", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase:  # a child process: one measured step
        _setup_django(os.environ["ZHUJIAN_VAR_DIR"])
        fn = phase_read if args.phase == "read" else phase_import
        print(json.dumps(fn(args.file), ensure_ascii=False))
        return

    work = Path(args.keep or tempfile.mkdtemp(prefix="zhujian-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    var_dir = str(work / "var")
    path = work / "sales_contracts.xlsx"
    for leftover in Path(var_dir).glob("zhujian.sqlite3*"):
        leftover.unlink()
    _setup_django(var_dir)
    from django.db import connection

    t0 = time.perf_counter()
    build_database()
    print(f"demo county built in {time.perf_counter() - t0:.1f} s ({connection.vendor})")
    t0 = time.perf_counter()
    write_file(path, args.rows)
    print(
        f"wrote {args.rows:,} contracts in {time.perf_counter() - t0:.1f} s: {path} "
        f"({path.stat().st_size / 2**20:.1f} MB)"
    )
    read = _run_phase("read", var_dir, path)
    print(
        f"calamine read only : {read['seconds']:6.1f} s  {read['rows'] / read['seconds']:>9,.0f} rows/s"
        f"  peak RSS {read['peak_mb']:.0f} MB"
    )
    first = _run_phase("import", var_dir, path)
    if first["error_count"]:
        raise SystemExit(f"import refused: {first['errors']}")
    print(
        f"import (new)       : {first['seconds']:6.1f} s  {first['rows'] / first['seconds']:>9,.0f} rows/s"
        f"  peak RSS {first['peak_mb']:.0f} MB  created {first['created']:,}"
        f"  history +{first['history_added']:,}"
    )
    again = _run_phase("import", var_dir, path)
    print(
        f"re-import (same)   : {again['seconds']:6.1f} s  {again['rows'] / again['seconds']:>9,.0f} rows/s"
        f"  peak RSS {again['peak_mb']:.0f} MB  unchanged {again['unchanged']:,}"
        f"  created {again['created']}  updated {again['updated']}  history +{again['history_added']}"
    )
    print(
        json.dumps(
            {"rows": args.rows, "read": read, "import": first, "reimport": again},
            ensure_ascii=False,
        )
    )
