"""The 2020 denoising-diffusion bundle: the 2014 GAN challenge's data and grader files
to the byte (made by that bundle's own prepare.py), hence its fixed baselines to the
digit; a reference row for each of the two generators (the runs themselves are in
tests/integration/test_reference_diffusion.py); and a page whose story, formats, limits and
baselines match the bundle."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.bundles.bundle import read_bundle
from tests.support.bundles import (
    ONE_THREAD,
    PreparedOn,
    config_of,
    files_of,
    limit_rows,
    load_module,
    needs_dataset,
    page_of,
    run_page_snippet,
)
from tests.support.pipeline import CHALLENGES

BUNDLE = CHALLENGES / "2020-diffusion-mnist"
GAN = CHALLENGES / "2014-gan"
FIXED = ("Uniform noise", "Training images, copied (memorization penalty x1024)", "Mean-image blur")
GAN_REFERENCE = "DCGAN (reference)"
REFERENCE = "DDPM (reference)"

pytestmark = needs_dataset("mnist", "MNIST")


@pytest.fixture(scope="module")
def prepared(prepared_on: PreparedOn) -> Path:
    return prepared_on(BUNDLE.name, ONE_THREAD)


def test_prepare_writes_the_gan_challenges_files_byte_for_byte(
    prepared: Path, prepared_on: PreparedOn
):
    """Both prepared in fresh processes: the same public files, the same hidden grader
    files, so a score here is a score on the GAN's board."""
    ours, gans = files_of(prepared), files_of(prepared_on(GAN.name, ONE_THREAD))
    assert sorted(ours) == sorted(gans) and len(ours) == 7
    assert [name for name in ours if ours[name] != gans[name]] == []


def test_missing_raw_data_is_file_not_found_and_writes_nothing(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError):
        load_module(BUNDLE, "prepare.py").prepare(
            public_dir=tmp_path / "out" / "public",
            hidden_dir=tmp_path / "out" / "hidden",
            datasets_dir=tmp_path / "empty",
        )
    assert not (tmp_path / "out").exists()


def test_challenge_toml_grades_as_the_gan_challenge_does():
    config, gan = config_of(BUNDLE), config_of(GAN)
    assert config["slug"] == BUNDLE.name
    assert (config["year"], config["runtime"], config["gpu"]) == (2020, "torch", "optional")
    assert config["entrypoint"] == "main.py" and (BUNDLE / "reference" / "main.py").is_file()
    assert config["grading"] == gan["grading"]
    bundle = read_bundle(BUNDLE)  # the loader's own validation
    assert (bundle.grading.metric, bundle.grading.direction) == ("ma_fid", "lower")
    assert bundle.baselines[-1]["name"] == REFERENCE  # the row the reference is held to


def test_the_gan_challenges_rows_are_listed_as_it_lists_them():
    """The fixed baselines and the DCGAN's scores are the GAN bundle's own, measured on
    the same bytes (its test measures the fixed ones again on any machine)."""
    ours = {b["name"]: b for b in config_of(BUNDLE)["baselines"]}
    gans = {b["name"]: b for b in config_of(GAN)["baselines"]}
    for name in (*FIXED, GAN_REFERENCE):
        assert (ours[name]["score"], ours[name]["private_score"]) == (
            gans[name]["score"],
            gans[name]["private_score"],
        ), name


def test_the_reference_beats_the_mean_image_blur_and_copies_nothing():
    rows = {b["name"]: b for b in config_of(BUNDLE)["baselines"]}
    for key in ("score", "private_score"):
        assert 0.7 < rows[REFERENCE][key] < rows["Mean-image blur"][key], key


def test_the_page_states_the_limits_the_baselines_and_the_story():
    readme, config = page_of(BUNDLE), config_of(BUNDLE)
    for row in limit_rows(BUNDLE):
        assert row in readme, row
    for baseline in config["baselines"]:
        assert f"{baseline['score']:g}" in readme, baseline["name"]
        assert f"{baseline['private_score']:g}" in readme, baseline["name"]
    for needle in (
        "Sohl-Dickstein",
        "Yang Song and Stefano Ermon",
        "Jonathan Ho, Ajay Jain and Pieter Abbeel",
        "DDIM",
        "Jiaming Song, Chenlin Meng and\nStefano Ermon",
        "ε_θ(x_t, t)",
        "sqrt(ᾱ_t)",
        "/output/samples.npy",
        "uint8",
        "(10000, 28, 28)",
        "2051",
        "2049",
        "2 ^ (excess / 0.1)",
        "max(0, share - 0.01) / (1 - 0.01)",
        "MILESTONES_SEED",
    ):
        assert needle in readme, needle
    assert "TODO" not in readme.replace("`TODO` comments", "")  # no placeholder left


def test_the_page_snippet_reads_the_served_files(prepared: Path):
    scope = run_page_snippet(BUNDLE, prepared / "public")
    assert scope["images"].shape == (60000, 28, 28)  # type: ignore[attr-defined]
    assert scope["labels"].shape == (60000,)  # type: ignore[attr-defined]
