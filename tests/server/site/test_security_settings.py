"""The settings as a fresh deployment gets them: debug off unless asked for, a
Content-Security-Policy on every page, and production settings that pass
``manage.py check --deploy`` without one warning."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.paths import REPO

CLEAN = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MILESTONES_"))}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**CLEAN, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_debug_is_off_unless_turned_on():
    code = "from django.conf import settings; print(settings.DEBUG)"
    assert _manage("shell", "-c", code).stdout.splitlines()[-1] == "False"
    assert _manage("shell", "-c", code, DJANGO_DEBUG="1").stdout.splitlines()[-1] == "True"


def test_production_settings_pass_the_deploy_check_without_a_warning(tmp_path):
    done = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECURE="1",
        DJANGO_SECRET_KEY="k" * 10 + "q9Zr-2xWm7!vT4@pL8#sN1$eB6%yH3^cJ0&fD5*gK",
        DJANGO_ALLOWED_HOSTS="milestones.example.edu",
        MILESTONES_VAR_DIR=str(tmp_path),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_anything(client):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in policy and directives["frame-ancestors"] == "'none'"
