"""Making the grader's shipped files: floating point, run once by a challenge's maintainers.

A network trained in floating point, or principal components from an
eigendecomposition, come out slightly different on every machine (BLAS kernels,
thread counts). So they are computed once, rounded to integers here, and shipped
with the challenge as checksummed files; graders only ever evaluate the integers
(``features.py``, ``memorization.py``), exactly. Nothing here runs while grading.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from graders.samples.features import FEATURE_MAX, LAYERS, FeatureNetwork
from graders.samples.memorization import COMPONENT_SCALE, N_COMPONENTS, centred

INT8_MAX = 127
# Headroom above the largest feature of the calibration images: unusual images
# (noise has far more ink than a digit) still fit in uint16 before clipping.
FEATURE_HEADROOM = 8


def float_features(images: np.ndarray, params: Mapping[str, np.ndarray]) -> np.ndarray:
    """float64 [N, 64]: the float network's penultimate layer (pixels scaled to 0..1)."""
    x = images.reshape(len(images), -1).astype(np.float64) / 255.0
    h1 = np.maximum(x @ params["w1"] + params["b1"], 0.0)
    features: np.ndarray = np.maximum(h1 @ params["w2"] + params["b2"], 0.0)
    return features


def quantize_network(params: Mapping[str, np.ndarray], images: np.ndarray) -> FeatureNetwork:
    """Round a float network (``w1 b1 w2 b2 w3 b3``, on pixels in 0..1) to integers.

    Each weight matrix gets one power-of-two scale that puts its largest weight in
    64..127; biases follow their layer's scale. The feature shift leaves
    ``FEATURE_HEADROOM`` times the largest feature of ``images`` below 65535, and
    ``unit`` maps one feature step back to the float network's units."""
    w = [np.asarray(params[f"w{i}"], np.float64) for i in (1, 2, 3)]
    b = [np.asarray(params[f"b{i}"], np.float64) for i in (1, 2, 3)]
    s1 = 255.0 * _power_of_two_scale(w[0])  # pixels 0..255, not 0..1
    s2 = s1 * _power_of_two_scale(w[1])
    largest = float(float_features(images, params).max()) * s2 * FEATURE_HEADROOM
    shift = max(0, math.ceil(math.log2(largest / FEATURE_MAX)))
    unit = 2.0**shift / s2
    s3 = _power_of_two_scale(w[2])
    network = FeatureNetwork(
        weights=(
            _round(w[0] * s1 / 255.0, np.int8),
            _round(w[1] * s2 / s1, np.int8),
            _round(w[2] * s3, np.int8),
        ),
        biases=(
            _round(b[0] * s1, np.int64),
            _round(b[1] * s2, np.int64),
            _round(b[2] * s3 / unit, np.int64),
        ),
        shift=shift,
        unit=unit,
    )
    network.check_exact()
    return network


def _power_of_two_scale(weights: np.ndarray) -> float:
    return 2.0 ** math.floor(math.log2(INT8_MAX / float(np.abs(weights).max())))


def _round(values: np.ndarray, dtype: type[np.signedinteger]) -> np.ndarray:
    rounded: np.ndarray = np.rint(values).astype(dtype)
    return rounded


def principal_components(images: np.ndarray, chunk: int = 10_000) -> np.ndarray:
    """int16 [784, N_COMPONENTS]: the leading principal components of the canonical
    images (pixels in 0..1), times ``COMPONENT_SCALE``, each with its largest entry
    positive (an eigenvector's sign is arbitrary)."""
    total, outer = np.zeros(LAYERS[0]), np.zeros((LAYERS[0], LAYERS[0]))
    for start in range(0, len(images), chunk):  # never all images as float64 at once
        rows = centred(images[start : start + chunk]).reshape(-1, LAYERS[0]) / 255.0
        total += rows.sum(axis=0)
        outer += rows.T @ rows
    mean = total / len(images)
    _, vectors = np.linalg.eigh(outer - len(images) * np.outer(mean, mean))
    top = vectors[:, ::-1][:, :N_COMPONENTS]
    largest = top[np.abs(top).argmax(axis=0), np.arange(N_COMPONENTS)]
    top = top * np.where(largest < 0, -1.0, 1.0)
    components: np.ndarray = np.rint(top * COMPONENT_SCALE).astype(np.int16)
    return components
