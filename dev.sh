#!/usr/bin/env bash
# Zhujian developer entry point. The README's quick start is:
#   ./dev.sh demo   - set up .venv, create the SQLite database, load the demo county,
#                     write the demo report files, start a background worker and serve
#                     http://127.0.0.1:8000 (Ctrl-C stops both)
#   ./dev.sh test   - set up .venv and run the whole test suite
# Other targets: setup, lint, bench (bench --check: every ratio against bench/limits.toml), ci (see README).
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
    # Background jobs (imports, report files, large exports) need a worker beside the
    # server; it stops with the server (Ctrl-C) and its log is var/worker.log.
    mkdir -p var
    "$VENV/bin/zhujian" worker --interval 0.5 >var/worker.log 2>&1 &
    worker=$!
    trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null' EXIT
    echo
    echo "Zhujian 示例县 is at http://127.0.0.1:8000  (logins printed above; reports in var/reports/)"
    echo "Background worker: pid $worker (log var/worker.log)"
    "$VENV/bin/zhujian" runserver 127.0.0.1:8000
    ;;
  test)
    setup
    # Browser tests need Chromium; the production-recipe tests need nginx and
    # systemd-analyze. Install them when we can (root on Debian), else say so loudly.
    missing=()
    command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-noto-cjk)
    { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || missing+=(nginx)
    command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
    if [ "${#missing[@]}" -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "Installing Debian packages for the browser and production-recipe tests: ${missing[*]}…"
      (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null)
    fi
    skip=()
    if ! command -v chromium >/dev/null 2>&1; then
      echo "WARNING: no chromium on PATH and no root to install it: browser tests are NOT run." >&2
      echo "         Install Debian's chromium package to run them (CI always does)." >&2
      skip+=("not browser")
    fi
    if ! { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || ! command -v systemd-analyze >/dev/null 2>&1; then
      echo "WARNING: no nginx or systemd-analyze and no root to install them: the production" >&2
      echo "         recipe tests (deploy/) are NOT run. CI always runs them." >&2
      skip+=("not system")
    fi
    marker_args=()
    if [ "${#skip[@]}" -gt 0 ]; then
      expr="${skip[0]}"
      for s in "${skip[@]:1}"; do expr="$expr and $s"; done
      marker_args=(-m "$expr")
    fi
    exec "$VENV/bin/python" -m pytest "${marker_args[@]}" "$@"
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
