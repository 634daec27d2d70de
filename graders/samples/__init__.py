"""The ``samples`` kind of grading: a generative model's images, scored by a
memorization-aware Fréchet distance (see ``spec.py`` for the formula's parts).

- ``npy``: the strict reader of the program's ``.npy`` file;
- ``features``: the grader's own small MNIST classifier, in integers, whose
  penultimate layer gives the features the distance compares;
- ``fid``: the Fréchet distance between two Gaussians fitted to features;
- ``memorization``: how many samples sit closer to a training image than real,
  unseen images do, and the penalty that follows;
- ``exact``: integer matrix products through float64, exact on every machine;
- ``fitting``: how the shipped integer network and components are made, once;
- ``hidden``: the files a challenge's ``prepare.py`` writes for all of this;
- ``spec``: the ``[grading]`` table of this kind and ``grade``.

Every score depends on the images only: the same file gets the same features,
codes and near-copies on every machine, and the same score to about 1e-13.
"""

from graders.samples.spec import SamplesSpec

__all__ = ["SamplesSpec"]
