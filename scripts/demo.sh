#!/usr/bin/env bash
# The README's first command: install what is needed, generate the demo data, load it into the embedded
# DuckDB warehouse and start the dashboard on http://127.0.0.1:8050/ (HOST/PORT to change).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-packages.sh runtime
scripts/venv.sh
exec .venv/bin/customer-insight demo --host "${HOST:-127.0.0.1}" --port "${PORT:-8050}" "$@"
