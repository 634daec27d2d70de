from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from server.site import clock


@pytest.fixture
def site(settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Folders of this test's own, and no broker traffic: submissions stay
    pending (MAX_ACTIVE_JOBS_PER_USER = 0), so nothing needs a worker."""
    settings.CHALLENGE_DATA_DIR = tmp_path / "challenge-data"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.UPLOADED_BUNDLES_DIR = tmp_path / "bundles"
    settings.RUNTIMES_DIR = tmp_path / "runtimes"  # none built: the pages say so
    settings.MAX_ACTIVE_JOBS_PER_USER = 0
    # Hashing test passwords slowly proves nothing and costs seconds per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


@pytest.fixture(autouse=True)
def real_time() -> Iterator[None]:
    """Every test starts and ends on the real clock."""
    clock.reset()
    yield
    clock.reset()


@pytest.fixture
def postgresql() -> None:
    """Skips a test that races real transactions where only SQLite answers (it
    serialises every writer, so there is nothing to prove there)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL (scripts/test.sh does when one answers)")
