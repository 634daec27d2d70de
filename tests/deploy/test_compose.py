"""The production deployment file is valid, complete and keeps its secrets out;
only the workers reach the Docker engine."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.deploy.stack import compose_command
from tests.support.paths import REPO

SECRETS = {
    "POSTGRES_PASSWORD": "pw",
    "REDIS_PASSWORD": "rp",
    "DJANGO_SECRET_KEY": "key",
    "FLOWER_PASSWORD": "fl",
}
SERVICES = {
    "postgres",
    "redis",
    "web",
    "worker-cpu",
    "worker-cpu-short",
    "worker-gpu",
    "beat",
    "flower",
}
# beat is a worker too: it runs uploaded bundles' prepare.py in sandbox containers.
WORKERS = {"worker-cpu", "worker-cpu-short", "worker-gpu", "beat"}


def _config(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.run(
        [*compose_command(), "-f", str(REPO / "docker-compose.yml"), "config", *args],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def _service_blocks(rendered: str) -> dict[str, str]:
    """The rendered file's text per service (the output is YAML, two-space indented)."""
    blocks: dict[str, list[str]] = {}
    current = None
    in_services = False
    for line in rendered.splitlines():
        if not line.startswith(" "):
            in_services, current = line.startswith("services:"), None
            continue
        match = re.fullmatch(r"  ([A-Za-z0-9_.-]+):", line)
        if in_services and match:
            current = match.group(1)
            blocks[current] = []
        elif current is not None:
            blocks[current].append(line)
    return {name: "\n".join(lines) for name, lines in blocks.items()}


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    result = _config(SECRETS)
    assert result.returncode == 0, result.stderr
    return _service_blocks(result.stdout)


def test_compose_config_passes_with_every_service(rendered):
    assert set(_config(SECRETS, "--services").stdout.split()) >= SERVICES
    assert set(rendered) >= SERVICES


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_service_has_a_health_check(rendered, service):
    assert "healthcheck:" in rendered[service]


def test_the_workers_serve_the_lanes_and_the_gpu_worker_reserves_nvidia_devices(rendered):
    assert "driver: nvidia" in rendered["worker-gpu"]
    assert re.search(r"- -Q\n\s+- gpu-long,gpu-short\n", rendered["worker-gpu"])
    assert re.search(r"- -Q\n\s+- cpu-long,cpu-short\n", rendered["worker-cpu"])
    # Short runs have workers of their own: they never wait behind long ones.
    assert re.search(r"- -Q\n\s+- cpu-short\n", rendered["worker-cpu-short"])


def test_beat_runs_the_reaper_on_its_own_queue(rendered):
    assert "- --beat" in rendered["beat"] and "- maintenance" in rendered["beat"]


def test_only_the_workers_reach_the_docker_engine(rendered):
    reaching = {name for name, block in rendered.items() if "docker.sock" in block}
    assert reaching == WORKERS


def test_the_web_serves_with_gunicorn(rendered):
    assert "- gunicorn" in rendered["web"]


def test_compose_refuses_to_start_without_its_secrets():
    result = _config({})
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr


def test_no_secret_is_committed_in_the_compose_file():
    text = (REPO / "docker-compose.yml").read_text()
    for name in SECRETS:
        assert f"${{{name}:?" in text
        assert not re.search(rf"{name}[:=]\s*['\"]?[A-Za-z0-9]", text.replace(f"${{{name}", ""))
    example = (REPO / ".env.example").read_text()
    for name in SECRETS:
        assert re.search(rf"^{name}=$", example, re.MULTILINE), (
            f"{name} has a value in .env.example"
        )
