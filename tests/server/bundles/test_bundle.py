from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from server.bundles.bundle import BundleError, read_bundle
from tests.support.paths import REPO

XOR = REPO / "challenges" / "1986-xor-backprop"


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    target = tmp_path / "1986-xor-backprop"
    shutil.copytree(XOR, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_every_bundle_in_the_repository_is_valid():
    for path in sorted(p for p in (REPO / "challenges").iterdir() if p.is_dir()):
        if (path / "challenge.toml").exists():
            assert read_bundle(path).slug == path.name


def test_invalid_toml_is_reported(bundle: Path):
    (bundle / "challenge.toml").write_text("slug = [unclosed")
    with pytest.raises(BundleError, match="not valid TOML"):
        read_bundle(bundle)


def test_every_problem_is_listed_at_once(bundle: Path):
    text = (bundle / "challenge.toml").read_text()
    text = text.replace('runtime = "numpy"', 'runtime = "tensorflow"')
    text = text.replace('metric = "accuracy"', 'metric = "vibes"')
    (bundle / "challenge.toml").write_text(text)
    (bundle / "prepare.py").unlink()
    with pytest.raises(BundleError) as caught:
        read_bundle(bundle)
    problems = " | ".join(caught.value.problems)
    assert "missing file prepare.py" in problems
    assert "runtime must be one of" in problems
    assert "vibes" in problems


def test_limits_out_of_range_are_refused(bundle: Path):
    text = (bundle / "challenge.toml").read_text()
    text = text.replace("[limits]", "[limits]\nbogus = 1", 1)
    (bundle / "challenge.toml").write_text(text.replace("wall_seconds = ", "wall_seconds = -"))
    with pytest.raises(BundleError) as caught:
        read_bundle(bundle)
    assert any("unknown limits: bogus" in p for p in caught.value.problems)
    assert any("limits.wall_seconds" in p for p in caught.value.problems)


def _with_baseline(bundle: Path, row: str) -> None:
    toml = bundle / "challenge.toml"
    toml.write_text(toml.read_text() + f'\n[[baselines]]\nname = "Paper"\n{row}\n')


def test_a_published_baseline_is_read_as_published_and_the_others_are_not(bundle: Path):
    _with_baseline(bundle, "score = 0.9\npublished = true")
    baselines = read_bundle(bundle).baselines
    assert [b["published"] for b in baselines] == [False] * (len(baselines) - 1) + [True]
    assert baselines[-1]["private_score"] is None


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("score = 0.9\npublished = 1", "'Paper': published is true or false"),
        (
            "score = 0.9\nprivate_score = 0.8\npublished = true",
            "'Paper': a published score is on every test item, so it has no private_score",
        ),
    ],
)
def test_a_published_baseline_is_a_boolean_and_has_no_private_score(
    bundle: Path, row: str, problem: str
):
    _with_baseline(bundle, row)
    with pytest.raises(BundleError) as caught:
        read_bundle(bundle)
    assert any(problem in p for p in caught.value.problems), caught.value.problems


@pytest.mark.django_db
def test_loading_is_idempotent_and_prepares_data_once(platform_settings):
    from server.competitions.loading import challenge_load
    from server.competitions.models import Challenge

    first = challenge_load(bundle_dir=XOR)
    second = challenge_load(bundle_dir=XOR)
    assert (first.action, second.action) == ("created", "unchanged")
    challenge = Challenge.objects.get(slug="1986-xor-backprop")
    assert (challenge.public_dir / "train.csv").is_file()
    assert (challenge.hidden_dir / "labels.csv").is_file()
    assert not (challenge.public_dir / "labels.csv").exists()
    assert challenge.baselines.count() >= 2
    assert "<script" not in challenge.description_html
