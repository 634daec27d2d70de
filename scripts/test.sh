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
.venv/bin/python -m pytest "$@"
