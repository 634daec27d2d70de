"""Where ``milestones login`` keeps the server and the token."""

from __future__ import annotations

from pathlib import Path

import pytest
from milestones_client.config import Credentials, NotLoggedIn, load, save


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("MILESTONES_SERVER", raising=False)
    monkeypatch.delenv("MILESTONES_TOKEN", raising=False)
    return tmp_path


def test_saved_credentials_are_read_back_and_readable_by_their_owner_only(home: Path):
    path = save(Credentials(server="http://site.test", token="mst_abc"))
    assert path == home / "config" / "milestones" / "config.json"
    assert path.stat().st_mode & 0o777 == 0o600
    assert load() == Credentials(server="http://site.test", token="mst_abc")


def test_the_environment_overrides_the_saved_credentials(monkeypatch: pytest.MonkeyPatch):
    save(Credentials(server="http://site.test", token="mst_abc"))
    monkeypatch.setenv("MILESTONES_TOKEN", "mst_ci")
    assert load() == Credentials(server="http://site.test", token="mst_ci")


def test_without_credentials_one_is_told_to_log_in():
    with pytest.raises(NotLoggedIn, match="milestones login"):
        load()
