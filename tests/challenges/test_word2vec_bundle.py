"""The 2013 word-vector bundle: it loads as a cloze challenge, its data are
deterministic, the public text is the first 90% of Tiny Shakespeare and the items
come from the rest, each item is what the page says, the hidden text is
fingerprinted, the starter scores its baseline (and writes valid vectors in a dry
run), and the listed baselines are the measured ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from graders.cloze.spec import ClozeSpec, load_items
from graders.contamination import build_fingerprints, scan
from server.bundles.bundle import read_bundle
from tests.support.bundles import (
    DATASETS,
    config_of,
    csv_rows,
    files_of,
    load_module,
    needs_dataset,
    page_of,
    prepare_into,
    run_script,
    scores_of,
)
from tests.support.pipeline import CHALLENGES

BUNDLE = CHALLENGES / "2013-word2vec-shakespeare"
N_ITEMS = 1633
PPMI_TOLERANCE = 2 / 816  # two items of a half: an SVD's last bits follow the BLAS
pytestmark = needs_dataset("tinyshakespeare", "Tiny Shakespeare")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_into(BUNDLE, tmp_path_factory.mktemp("word2vec-data"), DATASETS)


def _listed() -> list[tuple[float, float]]:
    return [(b["score"], b["private_score"]) for b in read_bundle(BUNDLE).baselines]


def test_bundle_loads_as_a_cloze_challenge_over_the_whole_vocabulary(prepared: Path):
    bundle = read_bundle(BUNDLE)
    assert (bundle.slug, bundle.year, bundle.runtime, bundle.gpu) == (
        "2013-word2vec-shakespeare",
        2013,
        "numpy",
        "none",
    )
    assert isinstance(bundle.grading, ClozeSpec)
    assert (bundle.grading.metric, bundle.grading.direction) == ("accuracy", "higher")
    vocab = (prepared / "public" / "vocab.txt").read_text(encoding="utf-8").split()
    assert bundle.grading.words == len(vocab) == 2998
    assert bundle.plausible_best == 0.7 > max(score for pair in _listed() for score in pair)


def test_prepare_is_byte_for_byte_deterministic(prepared: Path, tmp_path: Path):
    again = files_of(prepare_into(BUNDLE, tmp_path, DATASETS))
    assert set(again) == {
        "public/train.txt",
        "public/vocab.txt",
        "hidden/text.txt",
        "hidden/items.csv",
        "hidden/labels.csv",
    }
    assert again == files_of(prepared)


def test_the_public_text_is_the_first_90_percent_and_the_vocabulary_its_words(prepared: Path):
    prepare = load_module(BUNDLE, "prepare.py")
    text = (DATASETS / "tinyshakespeare" / "input.txt").read_text(encoding="utf-8")
    train = (prepared / "public" / "train.txt").read_text(encoding="utf-8")
    held = (prepared / "hidden" / "text.txt").read_text(encoding="utf-8")
    assert train + held == text and len(train) == 1_003_854
    vocab = (prepared / "public" / "vocab.txt").read_text(encoding="utf-8").split()
    counts = {w: prepare.words(train).count(w) for w in vocab[:3]}
    assert list(counts) == ["the", "and", "i"] and counts["the"] >= counts["and"]
    assert len(set(vocab)) == len(vocab) and all(w.isalpha() and w.islower() for w in vocab)


def test_every_item_is_made_as_the_page_says(prepared: Path):
    prepare = load_module(BUNDLE, "prepare.py")
    items = load_items(prepared / "hidden")
    assert len(items.answers) == N_ITEMS and int(items.public.sum()) == N_ITEMS // 2
    assert items.candidates.shape == (N_ITEMS, 5)
    vocab = (prepared / "public" / "vocab.txt").read_text(encoding="utf-8").split()
    held = prepare.words((prepared / "hidden" / "text.txt").read_text(encoding="utf-8"))
    for candidates, context, answer in zip(
        items.candidates, items.context, items.answers, strict=True
    ):
        target = candidates[answer]
        context = context[context >= 0]
        assert len(set(candidates.tolist())) == 5 and 4 <= len(context) <= 10
        assert candidates.min() >= 100 and np.abs(candidates - target).max() <= 2 * 25
        assert not (set(candidates.tolist()) - {target}) & set(context.tolist())  # distractors
        assert vocab[target] in held
    # made again from the hidden text alone, the items are the same
    again = prepare.make_items(prepare.split_text(_corpus())[1], vocab)
    assert [item.answer for item in again] == items.answers.tolist()


def _corpus() -> str:
    return (DATASETS / "tinyshakespeare" / "input.txt").read_text(encoding="utf-8")


def test_nothing_of_the_test_is_public_and_the_hidden_text_is_fingerprinted(prepared: Path):
    assert sorted(p.name for p in (prepared / "public").iterdir()) == ["train.txt", "vocab.txt"]
    fingerprints = build_fingerprints(prepared / "hidden")
    assert len(fingerprints.text) > 100_000
    held = (prepared / "hidden" / "text.txt").read_bytes()
    upload = b"TEXT = '''" + held[5000:5200] + b"'''\n"
    assert scan("main.py", upload, fingerprints) is not None
    for kit in ("reference", "starter"):
        assert scan("main.py", (BUNDLE / kit / "main.py").read_bytes(), fingerprints) is None
    assert scan("vocab.txt", (prepared / "public" / "vocab.txt").read_bytes(), fingerprints) is None


def test_starter_is_valid_and_scores_the_counts_baseline(prepared: Path, tmp_path: Path):
    result = run_script(BUNDLE / "starter" / "main.py", prepared / "public", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    vectors = np.load(tmp_path / "out" / "vectors.npy")
    assert vectors.dtype == np.float32 and vectors.shape == (2998, 300)
    scores = scores_of(BUNDLE, tmp_path / "out", prepared)
    assert (round(scores.public, 4), round(scores.private, 4)) == _listed()[2]


def test_the_dry_run_sample_keeps_the_vocabulary_and_the_starter_passes_it(
    prepared: Path, tmp_path: Path
):
    prepare = load_module(BUNDLE, "prepare.py")
    prepare.prepare_dry_run(public_dir=prepared / "public", dry_run_dir=tmp_path / "dry")
    public = tmp_path / "dry" / "public"
    assert sorted(p.name for p in public.iterdir()) == ["train.txt", "vocab.txt"]
    assert (public / "vocab.txt").read_bytes() == (prepared / "public" / "vocab.txt").read_bytes()
    train = (prepared / "public" / "train.txt").read_text(encoding="utf-8")
    assert (public / "train.txt").read_text(encoding="utf-8") == train[:300_000]
    _, labels = csv_rows(tmp_path / "dry" / "hidden" / "labels.csv")
    assert len(labels) == 910  # the sample's items, from the 60,000 characters after it
    done = subprocess.run(
        [sys.executable, str(BUNDLE / "starter" / "main.py"), str(public), str(tmp_path / "o")],
        env={**os.environ, "MILESTONES_DRY_RUN": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and "20000 words of text" in done.stdout, done.stderr
    scores = scores_of(BUNDLE, tmp_path / "o", tmp_path / "dry")
    assert 0.0 <= scores.public <= 1.0


def test_baseline_scores_in_the_toml_and_the_page_are_the_measured_ones():
    measured = load_module(BUNDLE, "reference/baselines.py").measure(DATASETS)
    listed = _listed()
    assert listed[:3] == [measured[name] for name in ("frequency", "random", "counts")]
    for got, want in zip(measured["ppmi_svd"], listed[3], strict=True):
        assert got == pytest.approx(want, abs=PPMI_TOLERANCE)
    config = config_of(BUNDLE)
    assert not any(b.get("bound", False) for b in config["baselines"])
    assert all(b["citation"] for b in config["baselines"])
    page = page_of(BUNDLE)
    assert all(f"{score:.4f}" in page for pair in listed for score in pair)
    # the reference beats counts weighted and compressed, on each half
    assert all(ref > ppmi for ref, ppmi in zip(listed[4], listed[3], strict=True))
