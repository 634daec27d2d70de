"""The 2017 bundle: deterministic data, the hidden 10% kept out of the public files,
streams that never overlap, a valid challenge.toml, and a starter kit that is
already a valid submission (scored here through the harness, without a sandbox)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from django.conf import settings

from graders import LiveGraded
from graders.interactive.char_lm import CharLM
from server.bundles.bundle import read_bundle
from tests.support.bundles import files_of, load_module, prepare_into
from tests.support.pipeline import CHALLENGES
from worker.interactive.direct import run_direct

BUNDLE = CHALLENGES / "2017-tiny-transformer"
DATASETS = Path(settings.DATASETS_DIR)
needs_data = pytest.mark.skipif(
    not (DATASETS / "tinyshakespeare" / "input.txt").is_file(),
    reason="Tiny Shakespeare is not installed (manage.py fetch_datasets)",
)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (DATASETS / "tinyshakespeare" / "input.txt").is_file():
        pytest.skip("Tiny Shakespeare is not installed (manage.py fetch_datasets)")
    return prepare_into(BUNDLE, tmp_path_factory.mktemp("tiny-transformer"), DATASETS)


def test_the_bundle_is_valid_and_interactive():
    bundle = read_bundle(BUNDLE)
    assert (bundle.runtime, bundle.gpu) == ("torch", "optional")
    assert bundle.grading.kind == "interactive" and isinstance(bundle.grading, LiveGraded)
    assert (bundle.grading.metric, bundle.grading.direction) == ("bits_per_character", "lower")
    assert bundle.grading.query_seconds < bundle.limits["wall_seconds"]
    assert bundle.baselines[0]["name"].startswith("Uniform")
    assert bundle.baselines[0]["score"] == pytest.approx(6.0224, abs=1e-4)


@needs_data
def test_the_counting_baselines_are_the_measured_ones_on_each_split():
    measured = load_module(BUNDLE, "reference/baselines.py").measure(DATASETS)
    listed = [(b["score"], b["private_score"]) for b in read_bundle(BUNDLE).baselines[:3]]
    assert listed == [measured[name][:2] for name in ("uniform", "unigram", "bigram")]


@needs_data
def test_preparing_twice_gives_the_same_bytes(prepared: Path, tmp_path: Path):
    assert files_of(prepare_into(BUNDLE, tmp_path, DATASETS)) == files_of(prepared)


@needs_data
def test_the_public_part_is_the_first_90_percent_and_the_rest_stays_hidden(prepared: Path):
    text = (DATASETS / "tinyshakespeare" / "input.txt").read_text(encoding="utf-8")
    train = (prepared / "public" / "train.txt").read_text(encoding="utf-8")
    hidden = (prepared / "hidden" / "text.txt").read_text(encoding="utf-8")
    assert train + hidden == text and len(train) == int(len(text) * 0.9) == 1_003_854
    assert sorted(p.name for p in (prepared / "public").iterdir()) == ["train.txt", "vocab.json"]
    vocab = json.loads((prepared / "public" / "vocab.json").read_text())
    assert vocab == sorted(set(text)) and len(vocab) == 65


@needs_data
def test_the_grader_evaluates_4096_positions_in_16_queries_of_256_streams(prepared: Path):
    table = read_bundle(BUNDLE).grading.options
    environment = CharLM(hidden_dir=prepared / "hidden", options=table)  # checks the layout
    query = environment.next_query()
    assert query is not None and len(query["contexts"]) == 256
    assert {len(context) for context in query["contexts"]} == {256}
    assert environment.total_queries == 16
    assert environment.public.sum() == 128


@needs_data
def test_the_starter_kit_is_a_valid_submission(prepared: Path):
    scores = run_direct(
        spec=read_bundle(BUNDLE).grading,
        hidden_dir=prepared / "hidden",
        argv=[sys.executable, str(BUNDLE / "starter" / "main.py"), str(prepared / "public")],
    )
    assert 3.4 < scores.public < 3.8 and 3.4 < scores.private < 3.8  # a bigram model


def test_the_starter_kit_ships_the_protocol_document():
    assert (BUNDLE / "starter" / "INTERACTIVE.md").read_text() == (
        CHALLENGES / "INTERACTIVE.md"
    ).read_text()
    assert "starter.zip" in (BUNDLE / "README.md").read_text()
