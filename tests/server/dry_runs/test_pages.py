"""The challenge's page names the terminal's dry-run command where it offers one."""

from __future__ import annotations

import pytest

from tests.support.dry_runs import offer_dry_runs
from tests.support.factories import make_challenge

pytestmark = pytest.mark.django_db


def test_the_terminal_commands_include_a_dry_run_only_where_one_is_offered(site, client):
    challenge = make_challenge()
    command = f"milestones dry-run {challenge.slug} main.py"
    assert command not in client.get(f"/challenges/{challenge.slug}/").content.decode()
    offer_dry_runs(challenge)
    assert command in client.get(f"/challenges/{challenge.slug}/").content.decode()
