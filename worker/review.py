"""Why a scored submission should wait for an instructor before it ranks: its
upload holds the challenge's hidden data (graders.contamination), or its score
is better than anything a real model reaches on this challenge (its [review]
plausible_best). The reasons are written for the instructor: what was found,
where, and the bound crossed."""

from __future__ import annotations

import functools
from pathlib import Path

from graders import Scores
from graders.contamination import Fingerprints, build_fingerprints, scan


def contamination(*, name: str, upload: bytes, hidden_dir: Path, checksum: str) -> str:
    """The reason to hold an upload that holds hidden data, or ""."""
    found = scan(name, upload, _fingerprints(str(hidden_dir), checksum))
    return f"Hidden data in the upload: {found}" if found is not None else ""


@functools.lru_cache(maxsize=16)
def _fingerprints(hidden_dir: str, checksum: str) -> Fingerprints:
    # Keyed by the grader artifacts' checksum: a re-prepared challenge is built anew.
    return build_fingerprints(Path(hidden_dir))


def beyond_plausible(*, scores: Scores, best: float | None, direction: str) -> str:
    """The reason to hold these scores, or "" when they are plausible."""
    if best is None:
        return ""
    beyond = [
        (split, value)
        for split, value in (("public", scores.public), ("private", scores.private))
        if (value < best if direction == "lower" else value > best)
    ]
    if not beyond:
        return ""
    found = " and ".join(f"the {split} score {value:.6g}" for split, value in beyond)
    side = "below" if direction == "lower" else "above"
    return (
        f"Implausible score: {found} lies {side} {best:g}, the best a real model "
        "reaches on this challenge (its plausible_best)."
    )
