"""Benchmark: build the whole half-year report at demo size and at 10× demo size.

    python -m bench report_build                 # SQLite, demo and 10×
    python -m bench report_build --postgres      # PostgreSQL, demo and 10×
    python -m bench report_build --all           # both backends
    python -m bench report_build --sizes 1,10,30 --repeat 9 --seed 2022

Target: building the report (``build_report("2022H1")``: evaluate every figure the default
template references and lay out its text) takes under 1 s at demo size, and its time grows
far slower than the data.

Each (backend, size) combination runs in its own subprocess of this script, because
Django chooses its database when the settings are imported:

- SQLite: a fresh file under a temporary ``ZHUJIAN_VAR_DIR``;
- PostgreSQL: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/zj_bench`` (override the
  server with ``--pg-url``); the ``zj_bench`` database is dropped and created through the
  ``postgres`` maintenance database with psycopg before the run and dropped afterwards.

The child migrates, builds the demo county (``zhujian.demo.run.build(seed)``), and for a
size factor N > 1 clones every ledger's rows N − 1 times with ``bulk_create`` (parents
first): same org units, dates, amounts and states, so every period and scope sees N times
the records; a unique text field (a household code, a document number) gets a ``~<round>``
suffix, and a foreign key to another cloned ledger points at the same round's clone (a
child record follows its parent). A ledger with a uniqueness no clone can satisfy (e.g.
one yearly task per year) stays at demo size and is listed under the table. Clones get
no audit history rows (the report never reads them).

Running the demo generators N times with other seeds was tried first: most ledgers
derive their codes from the village and a sequence number, so from the second round on
17 of 22 ledgers hit their unique constraints; cloning multiplies them all evenly.

Then it times ``build_report("2022H1")``: one warm-up, then the median of ``--repeat``
(default 5) runs; and counts the queries of one more run with
``django.test.utils.CaptureQueriesContext``. PostgreSQL gets ``ANALYZE`` after loading.
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

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/zj_bench"
PERIOD = "2022H1"


# --- child: one (backend, size) -----------------------------------------------------------


def _ledger_rows() -> int:
    return sum(model._default_manager.count() for model in _ledger_models())


def _ledger_models() -> list[Any]:
    """Every registered ledger's model whose table exists (domains land while we work)."""
    from django.db import connection

    from zhujian.core.registry import registry

    tables = set(connection.introspection.table_names())
    return [lg.model for lg in registry if lg.model._meta.db_table in tables]


def _ledger_fks(model: Any, within: set[Any]) -> list[Any]:
    from django.db import models as m

    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, m.ForeignKey)
        and f.related_model in within
        and f.related_model is not model
    ]


def _unique_sets(model: Any) -> list[tuple[str, ...]]:
    from django.db.models import UniqueConstraint

    sets = [(f.name,) for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    sets += [tuple(t) for t in model._meta.unique_together]
    # Conditional ones too (a device's MN is unique when set): clones must not collide.
    sets += [
        tuple(c.fields)
        for c in model._meta.constraints
        if isinstance(c, UniqueConstraint) and c.fields
    ]
    return sets


def multiply(factor: int) -> dict[str, str]:
    """Make every ledger ``factor`` times its demo size by cloning its rows (see the module
    docstring). Returns the ledgers left at demo size, with the reason."""
    from django.db import models as m
    from django.db import transaction

    models = _ledger_models()
    pending, ordered = set(models), []
    while pending:  # parents before children
        ready = [
            x
            for x in models
            if x in pending and not set(f.related_model for f in _ledger_fks(x, pending))
        ]
        if not ready:  # a cycle: take the rest as they come
            ready = [x for x in models if x in pending]
        for x in ready:
            ordered.append(x)
            pending.discard(x)

    cloned: set[Any] = set()
    kept: dict[str, str] = {}
    plans: dict[Any, tuple[list[Any], set[str]]] = {}
    for model in ordered:
        remapped = {f.name for f in _ledger_fks(model, cloned)}
        suffixed: set[str] = set()
        stuck = []
        for fields in _unique_sets(model):
            if remapped & set(fields):
                continue
            text = [
                n for n in fields if isinstance(model._meta.get_field(n), m.CharField | m.TextField)
            ]
            if text:
                suffixed.update(text)
            else:
                stuck.append("+".join(fields))
        if stuck:  # e.g. one yearly task per year: a bigger county has no more years
            kept[model._meta.label] = f"unique {', '.join(stuck)}"
            continue
        cloned.add(model)
        plans[model] = (list(model._meta.concrete_fields), suffixed)

    maps: dict[Any, list[dict[int, int]]] = {}
    with transaction.atomic():
        for model in ordered:
            if model not in plans:
                continue
            fields, suffixed = plans[model]
            originals = list(model._default_manager.order_by("pk"))
            maps[model] = []
            for round_no in range(1, factor):
                tag = f"~{round_no}"
                copies = []
                for obj in originals:
                    clone = model()
                    for f in fields:
                        if f.primary_key:
                            continue
                        value = getattr(obj, f.attname)
                        if (
                            value is not None
                            and isinstance(f, m.ForeignKey)
                            and f.related_model in maps
                            and f.related_model is not model  # self-references: below
                        ):
                            value = maps[f.related_model][round_no - 1].get(value, value)
                        elif value and f.name in suffixed:
                            limit = getattr(f, "max_length", None) or 10**6
                            value = str(value)[: limit - len(tag)] + tag
                        setattr(clone, f.attname, value)
                    copies.append(clone)
                created = model._default_manager.bulk_create(copies, batch_size=1000)
                here = {o.pk: c.pk for o, c in zip(originals, created, strict=True)}
                maps[model].append(here)
                # A self-reference (a petition's previous case) was created pointing at the
                # original; now that this round's clones exist, point it at their clone.
                own = [
                    f for f in fields if isinstance(f, m.ForeignKey) and f.related_model is model
                ]
                relinked = []
                for clone in created:
                    touched = False
                    for f in own:
                        value = getattr(clone, f.attname)
                        if value is not None and value in here:
                            setattr(clone, f.attname, here[value])
                            touched = True
                    if touched:
                        relinked.append(clone)
                if relinked:
                    model._default_manager.bulk_update(
                        relinked, [f.name for f in own], batch_size=1000
                    )
    return kept


def child(backend: str, factor: int, seed: int, repeat: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhujian.demo import run
    from zhujian.reports.build import build_report

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    run.build(seed=seed, log=lambda _m: None)
    kept = multiply(factor) if factor > 1 else {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    load_s = time.perf_counter() - t0

    build_report(PERIOD)  # warm-up: imports, template, caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        report = build_report(PERIOD)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        build_report(PERIOD)
    return {
        "backend": backend,
        "factor": factor,
        "rows": _ledger_rows(),
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "queries": len(queries.captured_queries),
        "figures": len(report.rows),
        "load_s": load_s,
        "kept": kept,
    }


# --- parent: databases, subprocesses, table --------------------------------------------------


def _pg_admin(url: str, sql: str) -> None:
    """Run ``sql`` on the server's ``postgres`` maintenance database (autocommit)."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def _pg_name(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path.lstrip("/")


def run_one(backend: str, factor: int, args: argparse.Namespace) -> dict[str, Any]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "zhujian.settings"
    env["ZHUJIAN_DEBUG"] = "0"  # no query log, as in production
    env.setdefault("ZHUJIAN_SECRET_KEY", "bench-only-not-secret")
    with tempfile.TemporaryDirectory(prefix="zj-bench-report-") as var_dir:
        env["ZHUJIAN_VAR_DIR"] = var_dir
        env.pop("DATABASE_URL", None)
        name = ""
        if backend == "postgresql":
            env["DATABASE_URL"] = args.pg_url
            name = _pg_name(args.pg_url)
            _pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _pg_admin(args.pg_url, f'CREATE DATABASE "{name}"')
        try:
            command = [
                sys.executable,
                "-m",
                "bench",
                "report_build",
                "--child",
                backend,
                str(factor),
                "--seed",
                str(args.seed),
                "--repeat",
                str(args.repeat),
            ]
            done = subprocess.run(
                command,
                env=env,
                cwd=Path(__file__).resolve().parents[1],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                sys.stderr.write(done.stdout + done.stderr)
                raise SystemExit(f"{backend} ×{factor} failed")
            return json.loads(done.stdout.strip().splitlines()[-1])
        finally:
            if backend == "postgresql":
                _pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench report_build", description=__doc__)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--all", action="store_true", help="both SQLite and PostgreSQL")
    parser.add_argument("--pg-url", default=os.environ.get("ZJ_BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--sizes", default="1,10", help="size factors, comma separated")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs (median)")
    parser.add_argument("--child", nargs=2, metavar=("BACKEND", "FACTOR"), help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = parser.parse_args(argv)

    if args.child:
        result = child(args.child[0], int(args.child[1]), args.seed, args.repeat)
        print(json.dumps(result, ensure_ascii=False))
        return

    backends = (
        ["sqlite", "postgresql"] if args.all else (["postgresql"] if args.postgres else ["sqlite"])
    )
    factors = [int(s) for s in args.sizes.split(",") if s.strip()]
    header = f"{'backend':<11} {'size':<6} {'ledger rows':>11} {'build ms':>9} {'min ms':>7} {'queries':>7} {'figures':>7} {'load s':>7}"
    print(f"build_report({PERIOD!r}) — median of {args.repeat} after a warm-up, seed {args.seed}")
    print(header)
    print("-" * len(header))
    results = []
    for backend in backends:
        for factor in factors:
            r = run_one(backend, factor, args)
            results.append(r)
            size = "demo" if factor == 1 else f"{factor}×"
            print(
                f"{r['backend']:<11} {size:<6} {r['rows']:>11,} {r['median_ms']:>9.1f} "
                f"{r['min_ms']:>7.1f} {r['queries']:>7} {r['figures']:>7} {r['load_s']:>7.1f}",
                flush=True,
            )
            for label, why in r["kept"].items():
                print(f"{'':<19}kept at demo size: {label} ({why})")
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
