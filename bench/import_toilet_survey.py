"""Benchmark: import a county-scale household toilet survey (300,000 rows) from Excel.

    python -m bench import_toilet_survey [--rows 300000] [--keep DIR]
    python -m bench import_toilet_survey --compare postgres://…/EMPTY_DB [--pairs 5]

Steps, each timed:
1. build the demo county in a throw-away database (``ZHUJIAN_VAR_DIR`` = a temp dir);
2. write the ledger's template with ``zhujian template`` machinery, take its headers and
   generate a file of ``--rows`` rows with openpyxl in write-only mode;
3. in a fresh process: read the file with python-calamine only (iterate every row) — the
   floor any importer on this reader has to pay;
4. in a fresh process: the floor: read it again and insert the same rows and their history
   rows with ``executemany``, raw (then delete them again, untimed);
5. in a fresh process: import it (full validation, the user's scope, audit history);
6. in a fresh process: import the same file again (must change nothing).

It prints the import's CPU over the floor's (goal, issue 28: at most 2.5×) and the
re-import's wall time over the read's (goal: the read plus 2 s).

Each measured step runs in its own process so that its peak RSS
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) is its own. ``cpu`` is the step's CPU
time: the process's, plus on PostgreSQL the server's (every PostgreSQL process's, from
``/proc``; the server must run on this machine and serve nothing else meanwhile).

``--compare`` builds the demo county in a SQLite file and in the given empty PostgreSQL
database, then imports the same file into each in turn, ``--pairs`` times (the survey
emptied before each import) and prints the medians and the median PostgreSQL/SQLite
ratio of the pairs: on a shared machine whose speed drifts by tens of percent from one
minute to the next, only paired runs compare the two fairly.
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

LEDGER = "rural_toilethousehold"
USER = "cunzhen"


def _setup_django(var_dir: str) -> None:
    os.environ["ZHUJIAN_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhujian.settings")
    import django

    django.setup()


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def build_database(var_dir: str) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from zhujian.demo import run
    from zhujian.domains.rural.models import ToiletHousehold

    run.build(seed=2022, log=lambda _m: None)
    ToiletHousehold.objects.all().delete()  # the file brings every household
    ToiletHousehold.history.model.objects.all().delete()


def write_file(path: Path, rows: int, seed: int = 1) -> list[str]:
    """Generate ``rows`` survey rows under the template's headers; returns the headers."""
    from openpyxl import Workbook, load_workbook

    from zhujian.core.models import OrgUnit, User
    from zhujian.core.registry import registry
    from zhujian.imports.excel import write_template

    ledger = registry.get(LEDGER)
    template = path.with_name("template.xlsx")
    write_template(ledger, User.objects.get(username=USER), template)
    ws = load_workbook(template, read_only=True)["数据"]
    headers = [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]
    villages = list(OrgUnit.objects.filter(kind="village").order_by("code"))
    rng = random.Random(seed)
    per_village = -(-rows // len(villages))
    first = dt.date(2022, 2, 1)
    names = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"
    wb = Workbook(write_only=True)
    out = wb.create_sheet("数据")
    out.append(headers)
    written = 0
    for village in villages:
        for i in range(1, per_village + 1):
            if written == rows:
                break
            renovated = rng.random() < 0.82
            problems = rng.choice((1, 1, 2, 3)) if renovated and rng.random() < 0.12 else 0
            surveyed = first + dt.timedelta(days=rng.randrange(140))
            values = {
                "所属单位": village.code,
                "户编号": f"{village.code}{i:04d}",
                "户主姓名": rng.choice(names) + rng.choice(given) + rng.choice(given),
                "户主身份证号（脱敏）": f"3713{'*' * 10}{rng.randrange(10000):04d}",
                "排查日期": surveyed,
                "已改厕": "是" if renovated else "否",
                "厕所类型": rng.choice(("三格化粪池式", "双瓮漏斗式")) if renovated else "传统旱厕",
                "问题数（处）": problems,
                "主要问题类别": rng.choice(("设施损坏", "使用不便")) if problems else None,
                "有改造意愿": "是" if not renovated and rng.random() < 0.45 else "否",
                "问题整改日期": surveyed + dt.timedelta(days=30)
                if problems and rng.random() < 0.5
                else None,
            }
            out.append([values.get(str(h).rstrip("*＊").strip()) for h in headers])
            written += 1
    wb.save(path)
    return [str(h) for h in headers]


def phase_read(path: str) -> dict[str, Any]:
    from python_calamine import CalamineWorkbook

    t0, cpu0 = time.perf_counter(), time.process_time()
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_name("数据")
    n = sum(1 for _ in sheet.iter_rows())
    return {
        "seconds": time.perf_counter() - t0,
        "cpu_s": time.process_time() - cpu0,
        "rows": n - 1,
        "peak_mb": _peak_mb(),
    }


def phase_floor(path: str) -> dict[str, Any]:
    """The floor of an import on this reader and this database: read the file with
    python-calamine, convert each cell the cheapest way (unit code to id, 是/否, choice
    label to value), and insert the rows **and their history rows** with ``executemany``
    in one transaction, without checks, scope, invariants or model instances. Generic
    over the ledger's fields, so a field added to the model is filled here too. The rows
    are deleted again (not timed) so that the import that follows starts from empty."""
    from django.db import connection, transaction
    from django.utils import timezone
    from python_calamine import CalamineWorkbook

    from zhujian.core.models import OrgUnit, User
    from zhujian.domains.rural.models import ToiletHousehold

    model, history = ToiletHousehold, ToiletHousehold.history.model
    user = User.objects.get(username=USER)
    units = dict(OrgUnit.objects.values_list("code", "id"))
    parents = dict(OrgUnit.objects.values_list("id", "parent_id"))
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    by_name = {str(f.verbose_name): f for f in fields}
    quote = connection.ops.quote_name
    history_fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} (id, "
        + ", ".join(quote(f.column) for f in fields)
        + f") VALUES ({', '.join(['%s'] * (len(fields) + 1))})"
    )
    history_sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ("
        + ", ".join(quote(f.column) for f in history_fields)
        + f") VALUES ({', '.join(['%s'] * len(history_fields))})"
    )
    t0, cpu0, server0 = time.perf_counter(), time.process_time(), _server_cpu()
    rows = CalamineWorkbook.from_path(path).get_sheet_by_name("数据").iter_rows()
    header = [str(h).rstrip("*＊").strip() for h in next(rows)]
    now = timezone.now()

    def converter(field: Any) -> Any:
        """The cheapest conversion of one cell of this column to its database value."""
        kind = field.get_internal_type()
        if field.is_relation:
            return lambda cell: units[str(cell)]
        if kind == "BooleanField":
            return lambda cell: cell == "是"
        if field.choices:
            labels = {str(label): key for key, label in field.choices}
            return lambda cell: labels.get(str(cell), cell)
        if kind.endswith("IntegerField"):
            return int
        if kind == "DateField":
            return connection.ops.adapt_datefield_value
        return lambda cell: cell

    # Per column of the file: its position, field and conversion; the other fields take
    # a value computed once (timestamps, defaults), or the row's township where the
    # ledger keeps one beside the village.
    columns = [
        (i, by_name[h].attname, converter(by_name[h]), by_name[h].get_default())
        for i, h in enumerate(header)
        if h in by_name
    ]
    in_file = {attname for _i, attname, _c, _d in columns}
    constant = {}
    derived = []
    for field in fields:
        if field.attname in in_file:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            constant[field.attname] = field.get_db_prep_save(now, connection)
        elif field.is_relation:
            derived.append(field.attname)
        else:
            constant[field.attname] = field.get_db_prep_save(field.get_default(), connection)
    constant.update(
        history_date=history._meta.get_field("history_date").get_db_prep_save(now, connection),
        history_change_reason="导入",
        history_type="+",
        history_user_id=user.pk,
    )
    order = [f.attname for f in fields]
    history_order = [f.attname for f in history_fields]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quote(model._meta.db_table)}")
        next_id = cursor.fetchone()[0] + 1
    first_id, n = next_id, 0
    with transaction.atomic(), connection.cursor() as cursor:
        batch: list[list[Any]] = []
        history_batch: list[list[Any]] = []

        def flush() -> None:
            cursor.executemany(sql, batch)
            cursor.executemany(history_sql, history_batch)
            batch.clear()
            history_batch.clear()

        for row in rows:
            values = dict(constant)
            for i, attname, convert, default in columns:
                cell = row[i] if i < len(row) else ""
                values[attname] = default if cell == "" or cell is None else convert(cell)
            for attname in derived:  # e.g. the township of the row's village
                values[attname] = parents.get(values.get("org_unit_id"))
            values["id"] = next_id
            batch.append([next_id, *(values[name] for name in order)])
            history_batch.append([values[name] for name in history_order])
            next_id += 1
            n += 1
            if len(batch) == 2000:
                flush()
        if batch:
            flush()
    seconds = time.perf_counter() - t0
    client = time.process_time() - cpu0
    time.sleep(0.3)
    server = _server_cpu() - server0
    with transaction.atomic():
        history.objects.filter(id__gte=first_id).delete()
        model.objects.filter(id__gte=first_id)._raw_delete(connection.alias)
    return {
        "seconds": seconds,
        "cpu_s": client + server,
        "cpu_client_s": client,
        "cpu_server_s": server,
        "rows": n,
        "peak_mb": _peak_mb(),
    }


def _server_cpu() -> float:
    """CPU seconds of every PostgreSQL process on this machine, ended backends included
    (the postmaster's reaped children): an import uses a second connection for its
    look-ups. 0 on SQLite, whose work is this process's own. The server must run on this
    machine, and nothing else should use it meanwhile."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    ticks = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as fh:
                head, rest = fh.read().rsplit(")", 1)
        except OSError:  # gone meanwhile
            continue
        if not head.split("(", 1)[1].startswith("postgres"):
            continue
        fields = rest.split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
        ticks += int(fields[13]) + int(fields[14])  # children waited for (ended backends)
    return ticks / os.sysconf("SC_CLK_TCK")


def phase_import(path: str) -> dict[str, Any]:
    from zhujian.core.models import User
    from zhujian.core.registry import registry
    from zhujian.domains.rural.models import ToiletHousehold
    from zhujian.imports.engine import import_file

    user = User.objects.select_related("org_unit").get(username=USER)
    history_before = ToiletHousehold.history.count()
    ticks: list[int] = []
    client0, server0 = time.process_time(), _server_cpu()
    t0 = time.perf_counter()
    result = import_file(
        registry.get(LEDGER), path, user, progress=lambda done, total: ticks.append(done)
    )
    seconds = time.perf_counter() - t0
    client = time.process_time() - client0
    time.sleep(0.3)  # let the server reap the look-up connection's backend (its CPU counts)
    server = _server_cpu() - server0
    return {
        "seconds": seconds,
        "cpu_s": client + server,
        "cpu_client_s": client,
        "cpu_server_s": server,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "errors": [str(e) for e in result.errors[:5]],
        "error_count": len(result.errors),
        "progress_calls": len(ticks),
        "records": ToiletHousehold.objects.count(),
        "history_added": ToiletHousehold.history.count() - history_before,
        "peak_mb": _peak_mb(),
    }


def phase_reset() -> dict[str, Any]:
    """Empty the survey and its history, as a fresh county's would be."""
    from django.db import connection

    from zhujian.domains.rural.models import ToiletHousehold

    tables = [ToiletHousehold._meta.db_table, ToiletHousehold.history.model._meta.db_table]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
            cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
            cursor.execute("VACUUM")
    return {}


def _split(step: dict[str, Any]) -> str:
    """' (client 9.1 + server 4.2)' on PostgreSQL, where the server's CPU is its own."""
    if not step.get("cpu_server_s"):
        return ""
    return f" (client {step['cpu_client_s']:.1f} + server {step['cpu_server_s']:.1f})"


def _run_phase(
    phase: str,
    var_dir: str,
    path: Path,
    debug: bool,
    database_url: str | None = None,
    extra: tuple[str, ...] = (),
) -> dict[str, Any]:
    env = {**os.environ, "ZHUJIAN_VAR_DIR": var_dir}
    if database_url is not None:  # "" is SQLite in var_dir
        env.pop("DATABASE_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
    if not debug:  # measure as deployed: no per-query debug log
        env.update(ZHUJIAN_DEBUG="0", ZHUJIAN_SECRET_KEY=env.get("ZHUJIAN_SECRET_KEY", "bench"))
    out = subprocess.run(
        [
            sys.executable,
            *("-m", "bench", "import_toilet_survey", "--phase", phase, str(path), *extra),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"phase {phase} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench import_toilet_survey")
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--keep", help="work in this directory and keep it")
    parser.add_argument(
        "--debug", action="store_true", help="measure with ZHUJIAN_DEBUG on (query log kept)"
    )
    parser.add_argument("--reuse", action="store_true", help="with --keep: reuse its file")
    parser.add_argument(
        "--compare",
        metavar="POSTGRES_URL",
        help="time first imports on SQLite and on this (empty) PostgreSQL database in turn",
    )
    parser.add_argument("--pairs", type=int, default=5, help="with --compare: how many pairs")
    parser.add_argument(
        "--phase", choices=["read", "floor", "import", "build", "reset"], help=argparse.SUPPRESS
    )
    parser.add_argument("file", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase:  # a child process: one step
        _setup_django(os.environ["ZHUJIAN_VAR_DIR"])
        if args.phase == "build":
            build_database(os.environ["ZHUJIAN_VAR_DIR"])
            if args.file and not Path(args.file).exists():
                write_file(Path(args.file), args.rows)
            print("{}")
            return
        if args.phase == "reset":
            print(json.dumps(phase_reset()))
            return
        fn = {"read": phase_read, "floor": phase_floor}.get(args.phase, phase_import)
        print(json.dumps(fn(args.file), ensure_ascii=False))
        return
    if args.compare:
        compare(args)
        return

    work = Path(args.keep or tempfile.mkdtemp(prefix="zhujian-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    var_dir = str(work / "var")
    path = work / "toilet_survey.xlsx"
    for leftover in Path(var_dir).glob("zhujian.sqlite3*"):
        leftover.unlink()
    _setup_django(var_dir)
    t0 = time.perf_counter()
    build_database(var_dir)
    print(f"demo county built in {time.perf_counter() - t0:.1f} s ({var_dir})")
    if not (args.reuse and path.exists()):
        t0 = time.perf_counter()
        write_file(path, args.rows)
        print(f"wrote {args.rows:,} rows in {time.perf_counter() - t0:.1f} s")
    print(f"file: {path} ({path.stat().st_size / 2**20:.1f} MB); ZHUJIAN_DEBUG={int(args.debug)}")

    read = _run_phase("read", var_dir, path, args.debug)
    print(
        f"calamine read only : {read['seconds']:6.1f} s  {read['rows'] / read['seconds']:>9,.0f} rows/s"
        f"  cpu {read['cpu_s']:5.1f} s  peak RSS {read['peak_mb']:.0f} MB"
    )
    floor = _run_phase("floor", var_dir, path, args.debug)
    print(
        f"floor (raw insert) : {floor['seconds']:6.1f} s  {floor['rows'] / floor['seconds']:>9,.0f} rows/s"
        f"  cpu {floor['cpu_s']:5.1f} s{_split(floor)}  peak RSS {floor['peak_mb']:.0f} MB"
        "  (read + executemany of the rows and their history rows)"
    )
    first = _run_phase("import", var_dir, path, args.debug)
    if first["error_count"]:
        raise SystemExit(f"import refused: {first['errors']}")
    print(
        f"import (new)       : {first['seconds']:6.1f} s  {first['rows'] / first['seconds']:>9,.0f} rows/s"
        f"  cpu {first['cpu_s']:5.1f} s{_split(first)}  peak RSS {first['peak_mb']:.0f} MB"
        f"  created {first['created']:,}"
        f"  history +{first['history_added']:,}  ratio to read {first['seconds'] / read['seconds']:.1f}×"
    )
    again = _run_phase("import", var_dir, path, args.debug)
    print(
        f"re-import (same)   : {again['seconds']:6.1f} s  {again['rows'] / again['seconds']:>9,.0f} rows/s"
        f"  cpu {again['cpu_s']:5.1f} s{_split(again)}  peak RSS {again['peak_mb']:.0f} MB"
        f"  unchanged {again['unchanged']:,}"
        f"  created {again['created']}  updated {again['updated']}  history +{again['history_added']}"
    )
    ratios = {
        # CPU, client and server: what the machine pays for the import over the floor.
        "import_cpu_over_floor": first["cpu_s"] / floor["cpu_s"],
        "import_wall_over_floor": first["seconds"] / floor["seconds"],
        # An unchanged file: the re-import over the read alone (goal: read + 2 s).
        "reimport_wall_over_read": again["seconds"] / read["seconds"],
        "reimport_extra_s": again["seconds"] - read["seconds"],
        "import_peak_mb": first["peak_mb"],
    }
    print(
        f"ratios: import/floor cpu {ratios['import_cpu_over_floor']:.2f}×"
        f" (wall {ratios['import_wall_over_floor']:.2f}×);"
        f" re-import − read {ratios['reimport_extra_s']:+.1f} s"
    )
    print(
        json.dumps(
            {
                "rows": args.rows,
                "read": read,
                "floor": floor,
                "import": first,
                "reimport": again,
                "ratios": ratios,
            },
            ensure_ascii=False,
        )
    )


def compare(args: argparse.Namespace) -> None:
    """First imports of one file on SQLite and on PostgreSQL, in turn (S P S P …), each
    into an emptied survey: pairing keeps the ratio meaningful when a shared machine's
    speed drifts. Prints each pair, the medians and the median of the pairs' ratios."""
    import statistics

    work = Path(args.keep or tempfile.mkdtemp(prefix="zhujian-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    path = work / "toilet_survey.xlsx"
    if not args.reuse and path.exists():
        path.unlink()
    backends = {
        "SQLite": ("", str(work / "var-sqlite")),
        "PostgreSQL": (args.compare, str(work / "var-postgresql")),
    }
    for name, (url, var_dir) in backends.items():
        for leftover in Path(var_dir).glob("zhujian.sqlite3*"):
            leftover.unlink()
        t0 = time.perf_counter()
        _run_phase("build", var_dir, path, args.debug, url, ("--rows", str(args.rows)))
        print(f"{name}: demo county built in {time.perf_counter() - t0:.1f} s")
    print(f"file: {path} ({path.stat().st_size / 2**20:.1f} MB); ZHUJIAN_DEBUG={int(args.debug)}")
    seconds: dict[str, list[float]] = {name: [] for name in backends}
    ratios = []
    for pair in range(1, args.pairs + 1):
        line = [f"pair {pair}:"]
        for name, (url, var_dir) in backends.items():
            _run_phase("reset", var_dir, path, args.debug, url)
            step = _run_phase("import", var_dir, path, args.debug, url)
            if step["error_count"] or step["created"] != step["rows"]:
                raise SystemExit(f"{name} import refused: {step['errors']}")
            seconds[name].append(step["seconds"])
            line.append(f"{name} {step['seconds']:5.1f} s (cpu {step['cpu_s']:5.1f}{_split(step)})")
        ratios.append(seconds["PostgreSQL"][-1] / seconds["SQLite"][-1])
        print("  ".join(line) + f"  PostgreSQL/SQLite {ratios[-1]:.2f}")
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    print(
        f"median: SQLite {medians['SQLite']:.1f} s, PostgreSQL {medians['PostgreSQL']:.1f} s;"
        f" median ratio PostgreSQL/SQLite {statistics.median(ratios):.2f}"
        f" (min {min(ratios):.2f}, max {max(ratios):.2f})"
    )
    print(json.dumps({"seconds": seconds, "ratios": ratios}))
