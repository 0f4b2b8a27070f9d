"""``python -m bench <name> [args…]`` runs ``bench/<name>.py``'s ``main(argv)``;
``python -m bench --check`` runs ``bench/check.py`` (every ratio against its limit)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> None:
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]))
    if len(sys.argv) > 1 and sys.argv[1] == "--check":  # ./dev.sh bench --check
        sys.argv[1] = "check"
    if len(sys.argv) < 2 or sys.argv[1] not in names:
        print(f"usage: python -m bench <name> [args…]; benchmarks: {', '.join(names)}")
        raise SystemExit(2)
    module = importlib.import_module(f"bench.{sys.argv[1]}")
    module.main(sys.argv[2:])


if __name__ == "__main__":
    main()
