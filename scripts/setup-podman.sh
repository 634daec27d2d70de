#!/usr/bin/env bash
# The container engine of the docker-backend and deployment tests where no Docker
# daemon runs: podman (it serves the Docker Engine API; the tests start it on a
# socket of their own), runc and debootstrap from apt, then every image the tests
# run, built without a registry on a local Debian base (worker/runtimes/images.py).
# Idempotent: podman's storage keeps the images between runs, and a rebuild of an
# unchanged image takes seconds. Where it cannot run (not root, no apt-get, or
# MILESTONES_PODMAN=0) it says so and stops; the docker tests then skip, saying why.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNTIMES="${MILESTONES_RUNTIMES:-numpy torch}"
PY=.venv/bin/python

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
skip() { say "No container engine for the docker tests: $* (they will skip)"; exit 0; }

[ "${MILESTONES_PODMAN:-1}" != 0 ] || skip "MILESTONES_PODMAN=0"
[ "$(id -u)" -eq 0 ] || skip "not root"
command -v apt-get >/dev/null || skip "no apt-get"

missing=()
for tool in podman runc debootstrap; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
[ -x /usr/libexec/podman/catatonit ] || missing+=(catatonit)  # the containers' init
[ -x /usr/lib/podman/aardvark-dns ] || missing+=(netavark aardvark-dns)  # compose's networks
command -v iptables >/dev/null || missing+=(iptables)  # netavark's firewall rules for them
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing ${missing[*]} from apt"
  apt-get update -qq || skip "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    podman runc catatonit debootstrap netavark aardvark-dns iptables >/dev/null || skip "apt-get install failed"
fi

say "Building the container images (runtimes: $RUNTIMES; the platform; PostgreSQL and Redis)"
# shellcheck disable=SC2086
"$PY" -m worker.runtimes.images runtime $RUNTIMES
"$PY" -m worker.runtimes.images image --tag milestones/platform:local \
  --file Dockerfile --requirements requirements-deploy.txt .
"$PY" -m worker.runtimes.images image --tag milestones/postgres:local \
  --file tests/deploy/images/Dockerfile.postgres tests/deploy/images
"$PY" -m worker.runtimes.images image --tag milestones/redis:local \
  --file tests/deploy/images/Dockerfile.redis tests/deploy/images
