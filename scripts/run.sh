#!/usr/bin/env bash
# Starts everything a single machine needs: Redis (if none answers), Celery
# workers for each lane, beat with the reaper, and the web server. Ctrl-C stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST="${MILESTONES_HOST:-127.0.0.1}"
PORT="${MILESTONES_PORT:-8000}"
REDIS_PORT="${MILESTONES_REDIS_PORT:-6379}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:${REDIS_PORT}/0}"
# A developer's machine: error pages with details. Never on a server others reach.
export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"
VAR_DIR="${MILESTONES_VAR_DIR:-$PWD/var}"
PY=.venv/bin/python
pids=()

stop_all() {
  trap - INT TERM EXIT
  echo; echo "Stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all INT TERM EXIT

bash scripts/setup.sh
$PY manage.py migrate --noinput -v 0
$PY manage.py load_challenges
mkdir -p "$VAR_DIR"
if [ ! -s "$VAR_DIR/instructor.txt" ]; then
  # Printed once and kept (readable by this user only) so the next run shows it again.
  $PY manage.py ensure_instructor > "$VAR_DIR/instructor.txt"
  chmod 600 "$VAR_DIR/instructor.txt"
fi

if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  echo "Starting Redis on port $REDIS_PORT"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no >"$VAR_DIR/redis.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

# Workers per lane, sized to the cores: short jobs (a quick XOR) get workers of
# their own and never wait behind long ones; long-lane workers take short jobs too
# when they have none. GPU queues only where this machine has a GPU.
CORES=$(nproc)
SHORT_QUEUES=cpu-short; LONG_QUEUES=cpu-long,cpu-short
if [ -e /dev/nvidia0 ]; then SHORT_QUEUES+=,gpu-short; LONG_QUEUES+=,gpu-long,gpu-short; fi
if [ "$CORES" -lt 2 ]; then
  SHORT_WORKERS=0; LONG_WORKERS=1
else
  SHORT_WORKERS=$(( CORES / 3 > 0 ? CORES / 3 : 1 )); LONG_WORKERS=$(( CORES - SHORT_WORKERS ))
fi
if [ "$SHORT_WORKERS" -gt 0 ]; then
  .venv/bin/celery -A worker.celery worker -Q "$SHORT_QUEUES" --concurrency "$SHORT_WORKERS" \
    -n short@%h --loglevel INFO >"$VAR_DIR/worker-short.log" 2>&1 &
  pids+=($!)
fi
.venv/bin/celery -A worker.celery worker -Q "$LONG_QUEUES" --concurrency "$LONG_WORKERS" \
  -n long@%h --loglevel INFO >"$VAR_DIR/worker-long.log" 2>&1 &
pids+=($!)
# Beat and the reaper on their own queue, so they run even while a long job does;
# two processes, since an uploaded bundle's prepare.py (sandboxed) runs there too.
.venv/bin/celery -A worker.celery worker --beat -Q maintenance --concurrency 2 -n beat@%h \
  --loglevel INFO --schedule "$VAR_DIR/celerybeat-schedule" >"$VAR_DIR/beat.log" 2>&1 &
pids+=($!)
$PY manage.py runserver "$HOST:$PORT" --noreload >"$VAR_DIR/web.log" 2>&1 &
pids+=($!)

cat <<MSG

  Milestones is running:  http://$HOST:$PORT/
  Debug mode is $( [ "$DJANGO_DEBUG" = 1 ] && echo "ON (DJANGO_DEBUG=1): error pages show settings; keep this server to yourself" || echo off ).
  $(cat "$VAR_DIR/instructor.txt")
  Workers: $SHORT_WORKERS for short jobs, $LONG_WORKERS for long ones.
  Logs: $VAR_DIR/web.log, $VAR_DIR/worker-*.log, $VAR_DIR/beat.log.  Press Ctrl-C to stop.

MSG
wait -n "${pids[@]}" || true
