#!/usr/bin/env bash
# Installs what Milestones needs on a Debian machine, idempotently:
# system packages (Redis, bubblewrap) when absent, the project's virtual
# environment, the sandbox runtimes, the database and the challenges.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
RUNTIMES="${MILESTONES_RUNTIMES:-numpy torch}"
VAR_DIR="${MILESTONES_VAR_DIR:-$PWD/var}"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

install_system_packages() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v bwrap >/dev/null || missing+=(bubblewrap)
  # The sandbox's syscall filter is compiled by libseccomp (worker/sandbox/seccomp.py).
  /sbin/ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2' || missing+=(libseccomp2)
  "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
  # torch.compile in the sandbox builds its CPU kernels with g++ against Python.h,
  # both from the host's /usr (bubblewrap binds it read-only).
  command -v g++ >/dev/null || missing+=(g++)
  /usr/bin/python3 -c 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
    2>/dev/null || missing+=(python3-dev)
  # Optional, and only as root: validates docker-compose.yml in the tests (no engine needed).
  if [ "$(id -u)" -eq 0 ] && ! docker compose version >/dev/null 2>&1 \
     && ! command -v docker-compose >/dev/null; then
    missing+=(docker-compose)
  fi
  # Optional, and only as root: Debian's Chromium for the browser tests (tests/browser),
  # which Playwright drives by its path; they are skipped where it is absent.
  if [ "$(id -u)" -eq 0 ] && ! command -v chromium >/dev/null; then
    missing+=(chromium fonts-dejavu-core)
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing system packages: ${missing[*]}. Install them with:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  say "Installing ${missing[*]} from apt"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_python_packages() {
  if [ ! -x .venv/bin/python ]; then
    say "Creating the virtual environment .venv"
    "$PYTHON" -m venv .venv
  fi
  local stamp=.venv/.requirements.sha256
  local want
  want="$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "Installing Python packages"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -r requirements-dev.txt
    echo "$want" > "$stamp"
  fi
}

install_system_packages
install_python_packages
mkdir -p "$VAR_DIR"
chmod 755 "$VAR_DIR"
say "Building sandbox runtimes: $RUNTIMES"
# shellcheck disable=SC2086
.venv/bin/python -m worker.runtimes.build --dir "${MILESTONES_RUNTIMES_DIR:-$VAR_DIR/runtimes}" $RUNTIMES
# The container engine and images of the docker-backend and deployment tests (root only).
bash scripts/setup-podman.sh
