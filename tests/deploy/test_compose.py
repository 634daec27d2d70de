"""The production deployment file is valid, complete and keeps its secrets out."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SECRETS = {"POSTGRES_PASSWORD": "pw", "DJANGO_SECRET_KEY": "key", "FLOWER_PASSWORD": "fl"}
SERVICES = {"postgres", "redis", "web", "worker-cpu", "worker-gpu", "beat", "flower"}


def _compose() -> list[str]:
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.skip("neither `docker compose` nor `docker-compose` is installed")


def _config(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.run([*_compose(), "-f", str(REPO / "docker-compose.yml"), "config", *args],
                          cwd=REPO, env={**clean, **env}, capture_output=True, text=True)  # fmt: skip


def test_compose_config_passes_with_every_service_healthchecked():
    result = _config(SECRETS)
    assert result.returncode == 0, result.stderr
    services = set(_config(SECRETS, "--services").stdout.split())
    assert services >= SERVICES
    rendered = result.stdout
    assert rendered.count("healthcheck:") >= len(SERVICES)
    assert "driver: nvidia" in rendered


def test_compose_refuses_to_start_without_its_secrets():
    result = _config({})
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr


def test_no_secret_is_committed_in_the_compose_file():
    text = (REPO / "docker-compose.yml").read_text()
    for name in SECRETS:
        assert f"{name}: ${{{name}:?" in text or f"{name}:?" in text
