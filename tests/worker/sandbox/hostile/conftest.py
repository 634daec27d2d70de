"""Fixtures for the hostile corpus: the arena (loot and targets on the host, for the
whole session), backends with a uid range of their own, and a footprint recorder."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from tests.support.paths import REPO
from tests.support.sandbox import FAST, backend_named
from tests.worker.sandbox.hostile.arena import Arena, arena
from tests.worker.sandbox.hostile.checks import Footprint
from worker.sandbox import SandboxBackend

# A uid range no other test uses (they use 61000+): "no process of this uid is
# left" then speaks of the hostile run alone, even while other suites run.
HOSTILE_UID_BASE = 63000


@pytest.fixture(scope="session")
def hostile_arena(shared_dir) -> Iterator[Arena]:  # type: ignore[no-untyped-def]
    with arena(shared_dir / "arena", repo=REPO, limits=FAST) as room:
        yield room


@pytest.fixture(params=["bubblewrap", "docker"])
def hostile_backend(request: pytest.FixtureRequest) -> SandboxBackend:
    return backend_named(request, uid_base=HOSTILE_UID_BASE)


@pytest.fixture
def footprint(hostile_backend: SandboxBackend, monkeypatch: pytest.MonkeyPatch) -> Footprint | None:
    """The uid and cgroups each bubblewrap run gets, recorded by wrapping the real helpers."""
    if hostile_backend.name != "bubblewrap":
        return None
    from worker.sandbox import bubblewrap

    seen = Footprint()
    real_identity, real_cgroups = bubblewrap.run_identity, bubblewrap.create_run_cgroups

    @contextlib.contextmanager
    def identity(**kwargs):  # type: ignore[no-untyped-def]
        with real_identity(**kwargs) as who:
            seen.identities.append(who)
            yield who

    def cgroups(**kwargs):  # type: ignore[no-untyped-def]
        made = real_cgroups(**kwargs)
        seen.cgroups.append(made)
        return made

    monkeypatch.setattr(bubblewrap, "run_identity", identity)
    monkeypatch.setattr(bubblewrap, "create_run_cgroups", cgroups)
    return seen
