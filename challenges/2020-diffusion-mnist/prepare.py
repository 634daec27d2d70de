"""MNIST for the 2020 challenge: the 2014 GAN challenge's data and grader files, made
by that bundle's own prepare.py, so that the two boards grade against the same bytes
and their scores compare.

Public: the 60,000 training images and their labels, in IDX, uncompressed.
Hidden: the test set's labels and seeded public/private split, the grader's feature
network and codebook projection, the test images' features and the memorization
penalty's codes and distances (see challenges/2014-gan/prepare.py).

    PYTHONPATH=. python challenges/2020-diffusion-mnist/prepare.py OUT_DIR --datasets DIR
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

GAN_PREPARE = Path(__file__).resolve().parents[1] / "2014-gan" / "prepare.py"


def gan_prepare() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gan_prepare", GAN_PREPARE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prepare(*, public_dir: Path, hidden_dir: Path, datasets_dir: Path) -> None:
    gan_prepare().prepare(public_dir=public_dir, hidden_dir=hidden_dir, datasets_dir=datasets_dir)


if __name__ == "__main__":
    gan_prepare().main()
