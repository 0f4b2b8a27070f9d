#!/usr/bin/env bash
# Zhujian developer entry point. The README's quick start is:
#   ./dev.sh demo   - set up .venv, create the SQLite database, load the demo county,
#                     write the demo report files and serve http://127.0.0.1:8000
#   ./dev.sh test   - set up .venv and run the whole test suite
# Other targets: setup, lint, bench, ci (see README).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
VENV=${ZHUJIAN_VENV:-$ROOT/.venv}

find_python() {
  # Django 6 needs Python >= 3.12. Prefer $PYTHON, then the newest interpreter found.
  local c
  for c in ${PYTHON:-} python3.14 python3.13 python3.12 \
           "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3 /usr/bin/python3 python3; do
    [ -n "$c" ] || continue
    if command -v "$c" >/dev/null 2>&1 &&
       "$c" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  echo "Zhujian needs Python >= 3.12 (Django 6). Set PYTHON=/path/to/python3.12." >&2
  return 1
}

setup() {
  local stamp="$VENV/.zhujian-installed"
  if [ ! -x "$VENV/bin/python" ]; then
    "$(find_python)" -m venv "$VENV"
  fi
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e ".[dev,serve]"
    touch "$stamp"
  fi
}

cmd=${1:-demo}
shift || true
case "$cmd" in
  setup) setup ;;
  demo)
    setup
    "$VENV/bin/zhujian" migrate --noinput
    "$VENV/bin/zhujian" demo --reset "$@"
    "$VENV/bin/zhujian" report --all-formats --period 2022H1 -o var/reports
    echo
    echo "Zhujian 示例县 is at http://127.0.0.1:8000  (logins printed above; reports in var/reports/)"
    exec "$VENV/bin/zhujian" runserver 127.0.0.1:8000
    ;;
  test)
    setup
    browser_args=()
    if ! command -v chromium >/dev/null 2>&1; then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing Debian's Chromium and CJK fonts for the browser tests…"
        (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null)
      else
        echo "WARNING: no chromium on PATH and no root to install it: browser tests are NOT run." >&2
        echo "         Install Debian's chromium package to run them (CI always does)." >&2
        browser_args=(-m "not browser")
      fi
    fi
    exec "$VENV/bin/python" -m pytest "${browser_args[@]}" "$@"
    ;;
  lint)
    setup
    "$VENV/bin/ruff" check . && "$VENV/bin/ruff" format --check .
    ;;
  bench)
    setup
    exec "$VENV/bin/python" -m bench "$@"
    ;;
  *)
    echo "usage: ./dev.sh [demo|test|setup|lint|bench]" >&2; exit 2 ;;
esac
