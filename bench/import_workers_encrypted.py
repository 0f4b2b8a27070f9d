"""Benchmark: what SM4 at rest costs an import — 100,000 worker registrations (农民工实名登记)
with their ID, phone and bank-card numbers encrypted, against the same import with the
encryption switched off.

    python -m bench import_workers_encrypted [--rows 100000] [--pairs 2] [--keep DIR [--reuse]]
    DATABASE_URL=postgres://…/EMPTY_DB python -m bench import_workers_encrypted

Steps:

1. build the demo county in a throw-away database (SQLite under a temp dir, or the
   PostgreSQL database ``DATABASE_URL`` names, reset first);
2. write ``--rows`` workers as CSV under the import template's headers, spread over the
   demo's construction projects, each with a valid ID number (check digit), a mobile
   number and a 19-digit card;
3. ``--pairs`` times, each in a fresh process on the same database emptied of the
   previous run's workers: import the file as the construction department with
   encryption (SM4-GCM, HMAC-SM3 indexes), then without. "Without" replaces
   ``crypto.encrypt`` by the identity and the blind index by the plain number, in that
   process only: same schema, same import engine, same uniqueness check — the
   difference is the cryptography alone.

The ratio is taken pair by pair (this shared machine's speed drifts within minutes).
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

LEDGER = "wages_worker"
USER = "jianzhu"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhujian.settings")
    import django

    django.setup()


def _cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


def build_database() -> None:
    from django.core.management import call_command

    from zhujian.core.models import OrgUnit
    from zhujian.demo import run

    call_command("migrate", verbosity=0)
    if OrgUnit.objects.exists():
        run.reset()
    run.build(seed=2022, log=lambda _m: None)


def write_file(path: Path, rows: int, seed: int = 1) -> None:
    """``rows`` workers on the demo's projects, as CSV under the template's headers."""
    import csv

    from zhujian.core.personal import id_check_digit
    from zhujian.core.registry import registry
    from zhujian.domains.wages.models import Worker
    from zhujian.imports.columns import build_columns

    ledger = registry.get(LEDGER)
    columns = build_columns(ledger)
    templates = list(
        Worker.objects.select_related("project", "employer", "org_unit").order_by("pk")[:200]
    )
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        out = csv.writer(fh)
        out.writerow([c.header for c in columns])
        for n in range(1, rows + 1):
            t = templates[n % len(templates)]
            born = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(365 * 35))
            # Unique by n (region digits and sequence), whatever the birthday.
            first17 = f"3713{(n // 1000) % 100:02d}{born:%Y%m%d}{n % 1000:03d}"
            values = {
                "code": f"BW{n:08d}",
                "name": f"工人{n}",
                "id_number": first17 + id_check_digit(first17),
                "phone": "1" + rng.choice("3589") + f"{rng.randrange(10**9):09d}",
                "bank_card": f"62{rng.randrange(10**17):017d}",
            }
            row = []
            for c in columns:
                raw = values[c.field_name] if c.field_name in values else getattr(t, c.field_name)
                value = c.format(raw)
                row.append("" if value is None else value)
            out.writerow(row)


def _plaintext() -> None:
    """This process only: no SM4, no HMAC — the plain number in both columns."""
    from zhujian.core import crypto

    crypto.encrypt = lambda text, key=None: text  # type: ignore[assignment]
    crypto.blind_index = lambda text, key=None: "" if text in (None, "") else text  # type: ignore[assignment]


def phase_import(path: str, plain: bool) -> dict[str, Any]:
    from django.db import connection

    from zhujian.core.models import User
    from zhujian.core.registry import registry
    from zhujian.domains.wages.models import Worker
    from zhujian.imports.engine import import_file

    if plain:
        _plaintext()
    Worker.objects.filter(code__startswith="BW").delete()
    Worker.history.filter(code__startswith="BW").delete()
    user = User.objects.select_related("org_unit").get(username=USER)
    t0, c0 = time.perf_counter(), _cpu_seconds()
    result = import_file(registry.get(LEDGER), path, user)
    seconds, cpu = time.perf_counter() - t0, _cpu_seconds() - c0
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM wages_worker WHERE code = 'BW00000001'")
        stored = cursor.fetchone()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "created": result.created,
        "errors": [str(e) for e in result.errors[:5]],
        "encrypted": bool(stored and str(stored[0]).startswith("ZJ1$")),
        "database": connection.vendor,
    }


def _run_phase(var_dir: str, path: Path, plain: bool) -> dict[str, Any]:
    env = {**os.environ, "ZHUJIAN_VAR_DIR": var_dir}
    env.update(ZHUJIAN_DEBUG="0", ZHUJIAN_SECRET_KEY=env.get("ZHUJIAN_SECRET_KEY", "bench"))
    env.setdefault("ZHUJIAN_DATA_KEYS", "bench:" + "44" * 32)
    args = [sys.executable, "-m", "bench", "import_workers_encrypted", "--phase", str(path)]
    out = subprocess.run(
        [*args, *(["--plain"] if plain else [])],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"import failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench import_workers_encrypted")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--keep", help="work in this directory and keep it")
    parser.add_argument(
        "--reuse", action="store_true", help="with --keep: reuse its database (and its file)"
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase:  # a child process: one measured import
        _setup_django()
        print(json.dumps(phase_import(args.phase, args.plain), ensure_ascii=False))
        return

    work = Path(args.keep or tempfile.mkdtemp(prefix="zhujian-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    var_dir = str(work / "var")
    os.environ["ZHUJIAN_VAR_DIR"] = var_dir
    os.environ.setdefault("ZHUJIAN_DATA_KEYS", "bench:" + "44" * 32)
    path = work / "workers.csv"
    reuse = args.reuse and Path(var_dir, "zhujian.sqlite3").exists()
    if not reuse:
        for leftover in Path(var_dir).glob("zhujian.sqlite3*"):
            leftover.unlink()
    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    if reuse:
        call_command("migrate", verbosity=0)
        print(f"reusing the database in {work} (migrated)")
    else:
        t0 = time.perf_counter()
        build_database()
        print(f"demo county built in {time.perf_counter() - t0:.1f} s ({connection.vendor})")
    if not (reuse and path.exists()):
        t0 = time.perf_counter()
        write_file(path, args.rows)
        print(f"{args.rows:,} workers written to {path.name} in {time.perf_counter() - t0:.1f} s")
    connection.close()

    ratios = []
    for pair in range(1, args.pairs + 1):
        enc = _run_phase(var_dir, path, plain=False)
        plain = _run_phase(var_dir, path, plain=True)
        for label, r in (("SM4", enc), ("plain", plain)):
            if r["errors"] or r["created"] != args.rows:
                raise SystemExit(f"{label} import failed: {r}")
        assert enc["encrypted"] and not plain["encrypted"]
        ratio = enc["seconds"] / plain["seconds"]
        ratios.append(ratio)
        print(
            f"pair {pair}: encrypted {enc['seconds']:.1f} s (CPU {enc['cpu']:.1f} s), "
            f"plain {plain['seconds']:.1f} s (CPU {plain['cpu']:.1f} s): "
            f"ratio {ratio:.2f}, CPU ratio {enc['cpu'] / plain['cpu']:.2f}"
        )
    print(
        f"median ratio encrypted / plain over {len(ratios)} pairs: {statistics.median(ratios):.2f}"
    )
