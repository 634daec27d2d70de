"""The parts of the memorization-aware FID: the Fréchet distance and the exact Gaussian
of integer features, the canonical form and codes of images, exact nearest-neighbour
distances and the penalty's formula."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from graders.samples import memorization
from graders.samples.fid import Gaussian, fit_counts, fit_gaussian, frechet_distance
from graders.samples.fitting import principal_components
from graders.samples.memorization import CODE_UNIT, Thresholds, centred, from_share, nearest
from tests.support.digits import digit_like

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


def _counts(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 5000, (n, 64)).astype(np.uint16)


def test_the_gaussian_of_integer_features_is_their_mean_and_covariance():
    counts, unit = _counts(3000, 1), 1 / 255
    exact = fit_counts(counts, unit)
    rounded = fit_gaussian(counts * unit)
    assert np.allclose(exact.mean, rounded.mean, rtol=1e-12)
    assert np.allclose(exact.cov, rounded.cov, rtol=1e-9, atol=1e-12)


def test_the_gaussian_of_integer_features_has_the_same_bits_in_any_row_order():
    counts = _counts(3000, 2)
    first = fit_counts(counts, 1 / 255)
    shuffled = fit_counts(counts[np.random.default_rng(3).permutation(len(counts))], 1 / 255)
    assert first.mean.tobytes() == shuffled.mean.tobytes()
    assert first.cov.tobytes() == shuffled.cov.tobytes()


def test_the_gaussian_of_integer_features_is_correctly_rounded():
    counts = np.array([[1, 0], [2, 0], [4, 1]], np.uint16)  # mean 7/3, variance 7/3, covariance 5/6
    g = fit_counts(counts, 1.0)
    assert g.mean[0] == 7 / 3 and g.cov[0, 0] == 7 / 3 and g.cov[0, 1] == 5 / 6


def test_gaussians_of_a_few_distinct_images_keep_their_distance_exact():
    """Ten distinct feature rows (a mean-image blur) with dead features: a covariance of
    rank 9 in 64 dimensions, whose zero eigenvalues come out of an eigensolver as
    +-1e-15 noise. Square roots of that noise moved the distance by 4e-5 (1e-8 of it);
    factors of the data keep it within 1e-12 of the same distance computed from the
    ten rows' own factor."""
    rows = _counts(10, 5)
    rows[:, :6] = 0
    blur = fit_counts(np.tile(rows, (500, 1)), 1 / 255)
    full = fit_counts(_counts(3000, 6), 1 / 255)
    ten_rows = (rows / 255 - blur.mean) * math.sqrt(500 / 4999)  # blur.cov = ten_rows.T @ ten_rows
    expected = frechet_distance(dataclasses.replace(blur, root=ten_rows), full)
    assert frechet_distance(blur, full) == pytest.approx(expected, rel=1e-12)
    assert frechet_distance(blur, blur) < 1e-9


def test_the_gaussian_needs_integer_features():
    with pytest.raises(ValueError, match="integer features"):
        fit_counts(np.ones((10, 4)), 1.0)
    with pytest.raises(ValueError, match="integer features"):
        fit_counts(np.ones((1, 4), np.uint16), 1.0)


# --- canonical form and codes -------------------------------------------------------------


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


def _codes(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(-20_000, 20_000, (n, 64)).astype(np.int32)


def test_nearest_distances_equal_the_brute_force_ones_exactly():
    queries, references = _codes(1234, 1), _codes(777, 2)
    differences = queries[:, None, :].astype(np.int64) - references[None]
    brute = np.sqrt((differences**2).sum(-1).min(1).astype(np.float64))
    assert np.array_equal(nearest(queries, references), brute)


def test_both_reference_distances_come_from_one_pass_over_the_pairs():
    train, test = _codes(1000, 3), _codes(600, 4)
    book = memorization.Codebook(np.zeros((784, 64), np.int16), train, test)
    test_to_train, train_to_test = memorization.reference_distances(book)
    assert np.array_equal(test_to_train, nearest(test, train))
    assert np.array_equal(train_to_test, nearest(train, test))


def test_codes_are_the_exact_integer_projection_of_the_canonical_pixels():
    images = digit_like(300, seed=6)
    components = principal_components(digit_like(500, seed=7))
    pixels = centred(images).reshape(len(images), -1).astype(np.int64)
    integers = pixels @ components.astype(np.int64)  # numpy's own integer product, no BLAS
    expected = (integers + 2**11) >> 12
    assert np.array_equal(memorization.codes(images, components), expected)


def test_the_brightest_images_and_largest_components_still_give_exact_codes():
    components = np.full((784, 64), memorization.COMPONENT_SCALE, np.int16)
    components[:, ::2] *= -1
    white = np.full((2, 28, 28), 255, np.uint8)
    expected = 784 * 255 * memorization.COMPONENT_SCALE // 4096
    assert np.array_equal(memorization.codes(white, components)[0, :2], [-expected, expected])


def test_components_out_of_range_are_refused():
    components = np.full((784, 64), memorization.COMPONENT_SCALE + 1, np.int16)
    with pytest.raises(ValueError, match="exceed"):
        memorization.codes(digit_like(2), components)
    with pytest.raises(ValueError, match="components are"):
        memorization.codes(digit_like(2), components.astype(np.int32))


def test_codebook_finds_copies_and_shifted_copies_at_distance_zero():
    train, test = digit_like(400, seed=1), digit_like(100, seed=2)
    components = principal_components(train)
    assert components.shape == (784, memorization.N_COMPONENTS)
    gram = components.astype(np.float64).T @ components / memorization.COMPONENT_SCALE**2
    assert np.allclose(gram, np.eye(memorization.N_COMPONENTS), atol=1e-3)  # orthonormal
    book = memorization.fit_codebook(train, test, components)
    copies = np.roll(train[:50], (1, -1), axis=(1, 2))
    assert nearest(memorization.codes(copies, components), book.train_codes).max() == 0.0
    distances = nearest(memorization.codes(test, components), book.train_codes)
    assert np.median(distances) * CODE_UNIT > 0.3


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
    book = memorization.fit_codebook(train, test, principal_components(train))
    taus = memorization.thresholds(*memorization.reference_distances(book))
    fresh = digit_like(300, seed=5)
    assert memorization.assess(fresh, book=book, taus=taus).penalty < 1.2
    mixed = np.concatenate([train[:100], test[:100], fresh[:100]])
    assessed = memorization.assess(mixed, book=book, taus=taus)
    assert assessed.share == pytest.approx(2 / 3, abs=0.01)
