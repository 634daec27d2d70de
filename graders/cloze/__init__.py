"""The ``cloze`` kind of grading: word vectors, scored on hidden fill-in-the-blank items.

- ``exact``: cosine ranking in float64, the same to the last bit everywhere;
- ``spec``: the ``[grading]`` table of this kind, the hidden items and ``grade``.
"""

from graders.cloze.spec import ClozeSpec

__all__ = ["ClozeSpec"]
