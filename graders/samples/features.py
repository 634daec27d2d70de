"""The grader's feature extractor: a small MNIST classifier, evaluated in NumPy.

A multilayer perceptron 784 -> 256 -> 64 -> 10 with ReLUs, trained by the
challenge's ``prepare.py`` (with a fixed seed) on the training images and stored
with the hidden data. Its penultimate layer (64 units) is where samples and real
images are compared: a classifier's late features respond to what makes a digit
a digit, which raw pixels do not.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np

LAYERS = (784, 256, 64, 10)
PARAMS = ("w1", "b1", "w2", "b2", "w3", "b3")
CHUNK = 2000  # images per matrix product: bounded memory for any number of images


def param_shapes() -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {}
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(LAYERS), start=1):
        shapes[f"w{i}"], shapes[f"b{i}"] = (fan_in, fan_out), (fan_out,)
    return shapes


def pixels(images: np.ndarray) -> np.ndarray:
    """uint8 images [N, 28, 28] as float32 rows [N, 784] in [0, 1]."""
    return images.reshape(len(images), -1).astype(np.float32) / np.float32(255.0)


def hidden_layers(x: np.ndarray, params: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    """The two ReLU layers' activations for float32 rows ``x`` (what training needs)."""
    h1 = np.maximum(x @ params["w1"] + params["b1"], np.float32(0.0))
    h2 = np.maximum(h1 @ params["w2"] + params["b2"], np.float32(0.0))
    return [h1, h2]


def penultimate(images: np.ndarray, params: Mapping[str, np.ndarray]) -> np.ndarray:
    """Features float32 [N, 64] of uint8 images [N, 28, 28]."""
    chunks = [
        hidden_layers(pixels(images[i : i + CHUNK]), params)[-1]
        for i in range(0, len(images), CHUNK)
    ]
    return np.concatenate(chunks) if chunks else np.zeros((0, LAYERS[-2]), np.float32)


def logits(features: np.ndarray, params: Mapping[str, np.ndarray]) -> np.ndarray:
    """Class scores [N, 10] from penultimate features."""
    return features @ params["w3"] + params["b3"]
