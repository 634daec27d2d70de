"""Bundles prepared once per test session, in fresh processes, for every test that
only reads what prepare.py wrote (preparing MNIST's grader files is the slow part)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.bundles import DATASETS, Machine, PreparedOn, prepare_elsewhere
from tests.support.paths import REPO


@pytest.fixture(scope="session")
def prepared_on(tmp_path_factory: pytest.TempPathFactory) -> PreparedOn:
    """``prepared_on(slug, machine)``: the folder (public/, hidden/) of that bundle prepared
    as ``machine`` computes, made on first use. Read it, never write to it."""
    made: dict[tuple[str, Machine], Path] = {}

    def prepared(slug: str, machine: Machine) -> Path:
        if (slug, machine) not in made:
            root = tmp_path_factory.mktemp(f"{slug}-{machine.threads}-threads")
            made[slug, machine] = prepare_elsewhere(
                REPO / "challenges" / slug, root, machine, DATASETS
            )
        return made[slug, machine]

    return prepared
