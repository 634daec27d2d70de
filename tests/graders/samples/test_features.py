"""The grader's feature network in integers: its products are exact (the same integers
an integer-only computation gives), rounding a float network keeps what it computes,
and a network file that could leave exact arithmetic is refused."""

from __future__ import annotations

import numpy as np
import pytest

from graders.samples import exact, fitting
from graders.samples.features import FEATURE_MAX, LAYOUT, FeatureNetwork, features, logits
from tests.graders.samples.test_spec import random_float_network
from tests.support.digits import digit_like


@pytest.fixture(scope="module")
def network() -> FeatureNetwork:
    return fitting.quantize_network(random_float_network(), digit_like(500, seed=1))


def integer_features(images: np.ndarray, net: FeatureNetwork) -> np.ndarray:
    """The same network in int64 only (numpy's own integer products: no BLAS, no floats)."""
    (w1, w2, _), (b1, b2, _) = net.weights, net.biases
    x = images.reshape(len(images), -1).astype(np.int64)
    h1 = np.maximum(x @ w1.astype(np.int64) + b1, 0)
    h2 = np.maximum(h1 @ w2.astype(np.int64) + b2, 0)
    return np.minimum((h2 + (1 << net.shift >> 1)) >> net.shift, FEATURE_MAX)


def test_exact_products_equal_integer_products_and_refuse_what_could_round():
    rng = np.random.default_rng(0)
    a = rng.integers(-(2**20), 2**20, (50, 300))
    b = rng.integers(-(2**20), 2**20, (300, 40))
    assert np.array_equal(exact.matmul(a, b).astype(np.int64), a @ b)
    with pytest.raises(ValueError, match="not exact"):
        exact.matmul(a * 2**12, b)  # 300 * 2**32 * 2**20 > 2**53
    assert exact.largest(np.array([-128, 5], np.int8)) == 128  # no int8 overflow


def test_features_are_the_integer_networks_to_the_last_bit(network: FeatureNetwork):
    images = np.concatenate(
        [digit_like(300, seed=2), np.random.default_rng(3).integers(0, 256, (50, 28, 28))]
    ).astype(np.uint8)
    found = features(images, network)
    assert found.dtype == np.uint16 and found.shape == (350, 64)
    assert np.array_equal(found, integer_features(images, network))


def test_an_images_features_do_not_depend_on_the_others_in_its_file(network: FeatureNetwork):
    images = digit_like(2500, seed=4)  # more than one chunk
    whole = features(images, network)
    assert np.array_equal(whole[2100:2200], features(images[2100:2200], network))
    assert features(images[:0], network).shape == (0, 64)


def test_rounding_keeps_the_float_networks_features_and_classes():
    params, images = random_float_network(), digit_like(500, seed=5)
    network = fitting.quantize_network(params, images)
    assert all(np.abs(w).max() >= 64 for w in network.weights)  # int8 range well used
    floats = fitting.float_features(images, params)
    rounded = features(images, network) * network.unit
    # int8 weights of a random network: errors of a few percent, but the same features
    assert np.corrcoef(rounded.ravel(), floats.ravel())[0, 1] > 0.999
    assert np.abs(rounded - floats).mean() < 0.05 * floats.mean()
    float_classes = (floats @ params["w3"] + params["b3"]).argmax(axis=1)
    agree = logits(features(images, network), network).argmax(axis=1) == float_classes
    assert agree.mean() > 0.95


def test_a_network_file_of_other_types_or_out_of_range_is_refused(network: FeatureNetwork):
    arrays = network.arrays()
    assert FeatureNetwork.from_arrays(arrays).shift == network.shift
    assert set(arrays) == set(LAYOUT)
    with pytest.raises(ValueError, match="w1 is float32"):
        FeatureNetwork.from_arrays({**arrays, "w1": arrays["w1"].astype(np.float32)})
    with pytest.raises(ValueError, match="b3 is missing"):
        FeatureNetwork.from_arrays({k: v for k, v in arrays.items() if k != "b3"})
    with pytest.raises(ValueError, match="unit"):
        FeatureNetwork.from_arrays({**arrays, "unit": np.array(-1.0)})
    with pytest.raises(ValueError, match="layer 1"):
        FeatureNetwork.from_arrays({**arrays, "b1": np.full(256, 2**53, np.int64)})
