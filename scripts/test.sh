#!/usr/bin/env bash
# The test suite: lint and format (ruff), types (mypy), then pytest. Uses
# PostgreSQL when one answers on 127.0.0.1:5432 (or DATABASE_URL is set),
# SQLite otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${DATABASE_URL:-}" ] && command -v pg_isready >/dev/null \
   && pg_isready -q -h 127.0.0.1 -p 5432; then
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/milestones"
fi
echo "Database: ${DATABASE_URL:-SQLite}"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
if [ $# -gt 0 ]; then
  exec .venv/bin/python -m pytest "$@"
fi
# The whole suite in two phases. First every test not marked `serial`, spread
# over twice as many processes as cores (pytest-xdist): a test waiting on a
# worker, a sandboxed run or a browser leaves its core to another. Each process
# has its own database, Redis, folders and engine socket (tests/conftest.py).
# Then the `serial` tests, alone on the machine: they watch its free disk, or
# time a run that needs a core of its own.
.venv/bin/python -m pytest -n "${MILESTONES_TEST_PROCESSES:-$(( $(nproc) * 2 ))}" --dist worksteal -m "not serial"
.venv/bin/python -m pytest -m serial
