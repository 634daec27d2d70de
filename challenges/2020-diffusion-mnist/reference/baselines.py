"""Measure the baselines of challenge.toml on this challenge's own hidden data.

    PYTHONPATH=. python challenges/2020-diffusion-mnist/reference/baselines.py [--samples FILE ...]

Prepares the data into a temporary folder with this bundle's prepare.py (as the
server does), then grades, with the 2014 GAN bundle's measuring code (its
reference/baselines.py: uniform noise, the mean-image blur, the first 10,000
training images), any samples file given with ``--samples`` (e.g. the reference's
or the starter's output), printing the public and private scores with their parts
and each score as challenge.toml lists it. The grader's files are the GAN
challenge's to the byte, so the three fixed baselines score as they do there.
The raw datasets folder is MILESTONES_DATASETS_DIR, else ../shared/datasets beside
the repository if present, else var/datasets (the server's rule).
"""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
from pathlib import Path
from types import ModuleType

BUNDLE = Path(__file__).resolve().parents[1]
GAN_BASELINES = BUNDLE.parent / "2014-gan" / "reference" / "baselines.py"


def load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gan = load("gan_baselines", GAN_BASELINES)
measure, listed, DIGITS = gan.measure, gan.listed, gan.DIGITS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, nargs="*", default=[], help="samples.npy files")
    parser.add_argument("--datasets", type=Path, default=None, help="raw datasets folder")
    args = parser.parse_args()
    datasets = args.datasets or gan.datasets_dir()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        load("diffusion_prepare", BUNDLE / "prepare.py").prepare(
            public_dir=root / "public", hidden_dir=root / "hidden", datasets_dir=datasets
        )
        measure(hidden_dir=root / "hidden", datasets=datasets, samples=args.samples)


if __name__ == "__main__":
    main()
