"""The grader's feature extractor: a small MNIST classifier, in integer arithmetic.

A multilayer perceptron 784 -> 256 -> 64 -> 10 with ReLUs. It is trained once,
in floating point, by the challenge's maintainers; its weights are then rounded
to 8-bit integers (``fitting.quantize_network``) and shipped with the challenge
as a checksummed file, so no machine ever trains it again. Its penultimate layer
(64 units) is where samples and real images are compared: a classifier's late
features respond to what makes a digit a digit, which raw pixels do not.

Evaluating it involves only integers: uint8 pixels, int8 weights, int64 biases,

    h1 = max(0, pixels @ w1 + b1)                  pixels: the 784 values, 0..255
    h2 = max(0, h1 @ w2 + b2)
    features = min(round(h2 / 2**shift), 65535)    uint16; ``unit`` is the size of one step
    logits = features @ w3 + b3

and every product is exact (``exact.py``): an image's features are the same
integers on every machine. Their Gaussian statistics are exact too (``fid.py``).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from graders.samples import exact

LAYERS = (784, 256, 64, 10)
FEATURE_MAX = 2**16 - 1  # features are stored as uint16
CHUNK = 2000  # images per matrix product: bounded memory for any number of images


def _layout() -> dict[str, tuple[tuple[int, ...], np.dtype[np.generic]]]:
    layout: dict[str, tuple[tuple[int, ...], np.dtype[np.generic]]] = {}
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(LAYERS), start=1):
        layout[f"w{i}"] = ((fan_in, fan_out), np.dtype(np.int8))
        layout[f"b{i}"] = ((fan_out,), np.dtype(np.int64))
    layout["shift"] = ((), np.dtype(np.int64))
    layout["unit"] = ((), np.dtype(np.float64))
    return layout


LAYOUT = _layout()  # name -> (shape, dtype) of the arrays of a network's file


@dataclass(frozen=True)
class FeatureNetwork:
    weights: tuple[np.ndarray, np.ndarray, np.ndarray]  # w1, w2, w3: int8
    biases: tuple[np.ndarray, np.ndarray, np.ndarray]  # b1, b2, b3: int64
    shift: int  # features = round(h2 / 2**shift)
    unit: float  # one feature step, in the units of the float network it was rounded from

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> FeatureNetwork:
        """The network of a file's arrays, checked (``ValueError``: a platform error)."""
        for name, (shape, dtype) in LAYOUT.items():
            array = arrays.get(name)
            if array is None or array.shape != shape or array.dtype != dtype:
                found = "missing" if array is None else f"{array.dtype}{list(array.shape)}"
                raise ValueError(f"network array {name} is {found}, expected {dtype}{list(shape)}")
        shift, unit = int(arrays["shift"]), float(arrays["unit"])
        if not 0 <= shift < 62 or not (np.isfinite(unit) and unit > 0):
            raise ValueError(f"network shift {shift} or unit {unit} out of range")
        network = cls(
            weights=(arrays["w1"], arrays["w2"], arrays["w3"]),
            biases=(arrays["b1"], arrays["b2"], arrays["b3"]),
            shift=shift,
            unit=unit,
        )
        network.check_exact()
        return network

    def arrays(self) -> dict[str, np.ndarray]:
        """What ``from_arrays`` reads back (the file's content)."""
        (w1, w2, w3), (b1, b2, b3) = self.weights, self.biases
        named = {"w1": w1, "b1": b1, "w2": w2, "b2": b2, "w3": w3, "b3": b3}
        shift, unit = np.array(self.shift, np.int64), np.array(self.unit, np.float64)
        return {**named, "shift": shift, "unit": unit}

    def check_exact(self) -> None:
        """Every layer's largest possible value, for any pixels 0..255, stays below 2**53,
        so no image (however hostile) can make a product inexact."""
        bound = 255
        for layer in range(2):
            weights, bias = self.weights[layer], self.biases[layer]
            bound = LAYERS[layer] * bound * exact.largest(weights) + exact.largest(bias)
            exact.check_bound(bound, f"layer {layer + 1}")
        exact.check_bound(LAYERS[2] * FEATURE_MAX * 128 + exact.largest(self.biases[2]), "logits")


def features(images: np.ndarray, network: FeatureNetwork) -> np.ndarray:
    """uint16 [N, 64]: the features of uint8 images [N, 28, 28]."""
    chunks = [
        _penultimate(images[i : i + CHUNK].reshape(-1, LAYERS[0]), network)
        for i in range(0, len(images), CHUNK)
    ]
    return np.concatenate(chunks) if chunks else np.zeros((0, LAYERS[-2]), np.uint16)


def _penultimate(pixels: np.ndarray, network: FeatureNetwork) -> np.ndarray:
    (w1, w2, _), (b1, b2, _) = network.weights, network.biases
    h1 = np.maximum(exact.matmul(pixels, w1) + b1, 0.0)  # exact: integers below 2**53
    h2 = np.maximum(exact.matmul(h1, w2) + b2, 0.0).astype(np.int64)
    rounded = (h2 + (1 << network.shift >> 1)) >> network.shift  # half up; h2 >= 0
    clipped: np.ndarray = np.minimum(rounded, FEATURE_MAX).astype(np.uint16)
    return clipped


def logits(feature_rows: np.ndarray, network: FeatureNetwork) -> np.ndarray:
    """int64 class scores [N, 10] from features [N, 64]."""
    scores: np.ndarray = exact.matmul(feature_rows, network.weights[2]).astype(np.int64)
    scores += network.biases[2]
    return scores
