#!/usr/bin/env bash
# Create .venv (Python >= 3.11) and install the project into it. Usage: scripts/venv.sh [extras]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Python 3.11 or newer is needed (found $("$PYTHON" --version 2>&1))." >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
extras=${1:-}
target="."
[ -n "$extras" ] && target=".[$extras]"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$target" 2>&1 | grep -v "is ignored" || true
.venv/bin/python -c 'import dash, duckdb, etl, warehouse, dashapp' # fail here, not later, if the install broke
