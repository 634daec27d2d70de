"""Starter kit for the 2013 word-vector challenge: co-occurrence counts as vectors.

Reads /data/train.txt and /data/vocab.txt, counts how often each vocabulary word
appears within ``WINDOW`` words of each of the ``DIM`` most frequent ones, and
writes those counts as its vector: /output/vectors.npy, float32, one row per
vocabulary word in vocab.txt's order. A valid submission as it stands; the TODO
in ``vectors`` is where a better weighting, or a trained model, goes.

    python main.py [DATA_DIR] [OUTPUT_DIR]
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import numpy as np

WORD = re.compile(r"[a-z]+")  # the challenge's words: runs of a-z in the lowercased text
WINDOW = 5
DIM = 300  # the most the grader accepts
DRY_RUN_WORDS = 20_000  # a dry run (MILESTONES_DRY_RUN=1) counts this many words only


def read_data(data: Path) -> tuple[list[str], np.ndarray]:
    """The vocabulary and the training text as vocabulary indices (other words dropped)."""
    vocab = (data / "vocab.txt").read_text(encoding="utf-8").split()
    index = {w: i for i, w in enumerate(vocab)}
    text = (data / "train.txt").read_text(encoding="utf-8").lower()
    ids = [index[w] for w in WORD.findall(text) if w in index]
    return vocab, np.array(ids, dtype=np.int64)


def cooccurrences(ids: np.ndarray, n_words: int) -> np.ndarray:
    """counts[w, c]: how often c is within ``WINDOW`` words of w (both ways)."""
    counts = np.zeros((n_words, n_words), dtype=np.float64)
    for k in range(1, WINDOW + 1):
        np.add.at(counts, (ids[:-k], ids[k:]), 1.0)
        np.add.at(counts, (ids[k:], ids[:-k]), 1.0)
    return counts


def vectors(counts: np.ndarray) -> np.ndarray:
    # vocab.txt lists the most frequent words first: these columns are theirs.
    # TODO: raw counts are dominated by "the" and "and"; weight them (PMI), compress
    # them (SVD), or learn vectors that predict the context (skip-gram).
    return counts[:, :DIM]


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/data")
    output = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("/output")
    vocab, ids = read_data(data)
    if os.environ.get("MILESTONES_DRY_RUN") == "1":
        ids = ids[:DRY_RUN_WORDS]
    print(f"{len(ids)} words of text, {len(vocab)} in the vocabulary", flush=True)
    result = vectors(cooccurrences(ids, len(vocab)))
    output.mkdir(parents=True, exist_ok=True)
    np.save(output / "vectors.npy", result.astype(np.float32))
    print(f"wrote {result.shape[0]} vectors of {result.shape[1]} to {output / 'vectors.npy'}")


if __name__ == "__main__":
    main()
