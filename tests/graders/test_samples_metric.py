"""The parts of the memorization-aware FID: the Fréchet distance, the canonical form
and codes of images, nearest-neighbour distances and the penalty's formula."""

from __future__ import annotations

import numpy as np
import pytest

from graders.samples import memorization
from graders.samples.fid import Gaussian, fit_gaussian, frechet_distance
from graders.samples.memorization import Thresholds, centred, from_share, nearest

RNG = np.random.default_rng(7)
TAUS = Thresholds(train=1.0, test=1.0)

# --- Fréchet distance ---------------------------------------------------------------------


def random_gaussian(d: int, seed: int) -> Gaussian:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(d, d))
    return Gaussian(mean=rng.normal(size=d), cov=a @ a.T / d + 0.1 * np.eye(d))


def test_a_gaussian_is_at_distance_zero_from_itself():
    g = random_gaussian(16, 0)
    assert frechet_distance(g, g) == pytest.approx(0.0, abs=1e-9)


def test_diagonal_covariances_give_the_closed_form():
    # For commuting covariances FID = |m1 - m2|^2 + sum (sqrt(s1) - sqrt(s2))^2.
    m1, m2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    s1, s2 = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 1.0])
    expected = np.sum((m1 - m2) ** 2) + np.sum((np.sqrt(s1) - np.sqrt(s2)) ** 2)
    got = frechet_distance(Gaussian(m1, np.diag(s1)), Gaussian(m2, np.diag(s2)))
    assert got == pytest.approx(expected, rel=1e-12)


def test_general_covariances_match_the_eigenvalues_of_their_product():
    a, b = random_gaussian(12, 1), random_gaussian(12, 2)
    # tr sqrt(S1 S2) = sum of sqrt of the (real, positive) eigenvalues of S1 S2.
    cross = np.sqrt(np.linalg.eigvals(a.cov @ b.cov).real).sum()
    expected = np.sum((a.mean - b.mean) ** 2) + np.trace(a.cov) + np.trace(b.cov) - 2 * cross
    assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-9)
    assert frechet_distance(a, b) == pytest.approx(frechet_distance(b, a), rel=1e-9)


def test_fitting_uses_the_unbiased_covariance_and_needs_two_rows():
    x = RNG.normal(size=(50, 3))
    g = fit_gaussian(x)
    assert np.allclose(g.mean, x.mean(0)) and np.allclose(g.cov, np.cov(x, rowvar=False))
    with pytest.raises(ValueError):
        fit_gaussian(x[:1])


def test_constant_features_give_a_finite_distance():
    constant = fit_gaussian(np.ones((10, 4)))
    assert np.isfinite(frechet_distance(constant, fit_gaussian(RNG.normal(size=(100, 4)))))


# --- canonical form and codes -------------------------------------------------------------


def digit_like(n: int, seed: int = 0) -> np.ndarray:
    """Ink inside the central 20x20 box, as MNIST's digits are: mixtures of 6 fixed
    strokes, so the images vary along few directions, as real digits mostly do."""
    strokes = np.random.default_rng(99).random((6, 20, 20)) ** 4
    weights = np.random.default_rng(seed).random((n, 6))
    images = np.zeros((n, 28, 28), np.uint8)
    ink = np.einsum("nk,kij->nij", weights, strokes) / 2
    images[:, 4:24, 4:24] = np.rint(255 * np.clip(ink, 0, 1))
    return centred(images)


@pytest.mark.parametrize(("dy", "dx"), [(1, 0), (0, -2), (3, 3), (-3, 1)])
def test_a_shifted_image_has_the_canonical_form_of_the_original(dy, dx):
    images = digit_like(20)
    shifted = np.roll(images, (dy, dx), axis=(1, 2))  # the blobs' margins absorb the roll
    assert np.array_equal(centred(shifted), images)


def test_canonical_form_leaves_blank_images_alone_and_keeps_every_pixel_value():
    blank = np.zeros((1, 28, 28), np.uint8)
    assert np.array_equal(centred(blank), blank)
    images = digit_like(5)
    assert np.array_equal(np.sort(centred(images).ravel()), np.sort(images.ravel()))


def test_an_image_cut_by_the_border_is_moved_in_without_wrapping():
    image = np.zeros((1, 28, 28), np.uint8)
    image[0, 0:3, 0:3] = 255  # ink in the corner only
    out = centred(image)
    assert out.sum() == image.sum()
    assert out[0, 13:16, 13:16].sum() == 9 * 255  # its centre of mass moved to (14, 14)


def test_nearest_distances_equal_the_brute_force_ones():
    queries, references = RNG.normal(size=(1234, 8)), RNG.normal(size=(777, 8))
    queries, references = queries.astype(np.float32), references.astype(np.float32)
    brute = np.sqrt(((queries[:, None, :] - references[None]) ** 2).sum(-1)).min(1)
    assert np.allclose(nearest(queries, references), brute, atol=1e-4)


def test_codebook_finds_copies_and_shifted_copies_at_distance_zero():
    train, test = digit_like(400, seed=1), digit_like(100, seed=2)
    book = memorization.fit_codebook(train, test)
    assert book.components.shape == (784, memorization.N_COMPONENTS)
    orthonormal = book.components.T @ book.components
    assert np.allclose(orthonormal, np.eye(memorization.N_COMPONENTS), atol=1e-4)
    copies = np.roll(train[:50], (1, -1), axis=(1, 2))
    assert nearest(memorization.codes(copies, book), book.train_codes).max() < 1e-2
    assert np.median(nearest(memorization.codes(test, book), book.train_codes)) > 0.3


# --- the penalty ----------------------------------------------------------------------------


@pytest.mark.parametrize("share", [0.0, 0.005, memorization.EXPECTED_SHARE])
def test_no_more_near_copies_than_real_digits_have_costs_nothing(share):
    assert from_share(share, taus=TAUS).penalty == 1.0


@pytest.mark.parametrize("share", [0.02, 0.11, 0.3, 0.5, 0.9, 1.0])
def test_the_penalty_doubles_for_each_tenth_of_excess_near_copies(share):
    excess = (share - 0.01) / 0.99
    assert from_share(share, taus=TAUS).excess == pytest.approx(excess)
    assert from_share(share, taus=TAUS).penalty == pytest.approx(2 ** (10 * excess))


def test_copies_only_multiply_the_score_by_1024():
    assert from_share(1.0, taus=TAUS).penalty == pytest.approx(1024.0)


def test_thresholds_are_the_half_percent_points_of_the_real_distances():
    test_to_train, train_to_test = np.arange(1000.0), np.arange(2000.0) + 5
    taus = memorization.thresholds(test_to_train, train_to_test)
    assert taus.train == pytest.approx(np.quantile(test_to_train, 0.005))
    assert taus.test == pytest.approx(np.quantile(train_to_test, 0.005))


def test_a_sample_near_either_real_set_counts_as_a_near_copy():
    train, test = digit_like(300, seed=3), digit_like(300, seed=4)
    book = memorization.fit_codebook(train, test)
    taus = memorization.thresholds(*memorization.reference_distances(book))
    fresh = digit_like(300, seed=5)
    assert memorization.assess(fresh, book=book, taus=taus).penalty < 1.2
    mixed = np.concatenate([train[:100], test[:100], fresh[:100]])
    assessed = memorization.assess(mixed, book=book, taus=taus)
    assert assessed.share == pytest.approx(2 / 3, abs=0.01)
