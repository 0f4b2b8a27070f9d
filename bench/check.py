"""``./dev.sh bench --check``: run the main benchmarks at a reduced size and compare each
ratio with its limit in ``bench/limits.toml``; exit 1 when one passes its limit.

    python -m bench check [--limits FILE] [--only NAME[,NAME]]

Each benchmark runs in its own process (``python -m bench <name> <args>``) and prints a
JSON object on its last line; a limit names a path into it. The ratios are taken against
floors measured in the same run, so the check holds on a slower machine, but a machine
busy with other work still blurs them: run it on a quiet machine, before a release and
after a change to a measured path. It is not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
LIMITS = HERE / "limits.toml"


def lookup(result: Any, path: str) -> float:
    """The number at ``path`` (``a.b``) in a benchmark's JSON; a list is searched for the
    first element that has the key (benchmarks print one element per backend or size)."""
    value = result
    for key in path.split("."):
        if isinstance(value, list):
            value = next(
                (item[key] for item in value if isinstance(item, dict) and key in item), None
            )
        elif isinstance(value, dict):
            value = value.get(key)
        else:
            value = None
        if value is None:
            raise KeyError(f"{path}: not in the benchmark's output")
    return float(value)


def compare(result: Any, limits: dict[str, float]) -> list[tuple[str, float, float, bool]]:
    """``(path, measured, limit, within)`` for each limit."""
    rows = []
    for path, limit in limits.items():
        measured = lookup(result, path)
        rows.append((path, measured, float(limit), measured <= float(limit)))
    return rows


def run_benchmark(name: str, args: list[str]) -> Any:
    command = [sys.executable, "-m", "bench", name, *args]
    done = subprocess.run(command, cwd=HERE.parent, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}"
        )
    for line in reversed(done.stdout.strip().splitlines()):
        if line.startswith(("{", "[")):
            return json.loads(line)
    raise RuntimeError(f"{' '.join(command)} printed no JSON line")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench check", description=__doc__)
    parser.add_argument("--limits", type=Path, default=LIMITS, help="the limits file")
    parser.add_argument("--only", help="comma-separated benchmark names")
    args = parser.parse_args(argv)
    config = tomllib.loads(args.limits.read_text(encoding="utf-8"))
    only = set(args.only.split(",")) if args.only else None
    failed = []
    for name, table in config.items():
        if only and name not in only:
            continue
        limits = {k: v for k, v in table.items() if k != "args"}
        started = time.perf_counter()
        print(f"== {name} {' '.join(table.get('args', []))}", flush=True)
        try:
            result = run_benchmark(name, list(table.get("args", [])))
            rows = compare(result, limits)
        except (RuntimeError, KeyError) as exc:
            print(f"   ERROR {exc}")
            failed.append(name)
            continue
        for path, measured, limit, within in rows:
            verdict = "ok" if within else "REGRESSION"
            print(f"   {path:<40} {measured:10.2f}  limit {limit:8.2f}  {verdict}")
            if not within:
                failed.append(f"{name}: {path} {measured:.2f} > {limit:.2f}")
        print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)
    if failed:
        print("bench --check FAILED: " + "; ".join(failed))
        raise SystemExit(1)
    print("bench --check: every ratio within its limit")


if __name__ == "__main__":
    main()
