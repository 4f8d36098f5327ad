#!/usr/bin/env bash
# The README's second command (and exactly what CI runs): install what the tests need, then run the
# linter and the whole test suite against real DuckDB files (and, as they land, PostgreSQL and Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-packages.sh test
scripts/venv.sh test
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
