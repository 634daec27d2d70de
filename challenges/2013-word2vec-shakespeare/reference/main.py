"""Skip-gram with negative sampling (Mikolov et al., 2013), in NumPy.

Learns a vector for each word of /data/vocab.txt from /data/train.txt by
predicting, for each word, the words around it (up to ``WINDOW`` on each side,
a nearer one more often), against ``NEGATIVES`` words drawn from the unigram
distribution to the 3/4 power; frequent words are subsampled. Minibatches of
pairs, plain SGD with a linearly falling rate. Writes /output/vectors.npy
(float32, one row per vocabulary word): each word's input vector plus its output
vector (Levy, Goldberg & Dagan, 2015), which carries what a word is seen beside,
the thing a cloze blank's context tells.

    python main.py [DATA_DIR] [OUTPUT_DIR]

A ``budget.json`` beside this file may shrink the run, e.g. {"epochs": 1}.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

WORD = re.compile(r"[a-z]+")  # the challenge's words: runs of a-z in the lowercased text
DIM = 100
WINDOW = 5
NEGATIVES = 5
EPOCHS = 20
BATCH = 256
RATE = 0.05
SUBSAMPLE = 1e-3
SEED = 2013


def budget() -> dict[str, int]:
    path = Path(__file__).with_name("budget.json")
    return json.loads(path.read_text()) if path.is_file() else {}


def read_data(data: Path) -> tuple[list[str], np.ndarray]:
    """The vocabulary and the training text as vocabulary indices (other words dropped)."""
    vocab = (data / "vocab.txt").read_text(encoding="utf-8").split()
    index = {w: i for i, w in enumerate(vocab)}
    text = (data / "train.txt").read_text(encoding="utf-8").lower()
    ids = [index[w] for w in WORD.findall(text) if w in index]
    return vocab, np.array(ids, dtype=np.int64)


def pairs(ids: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(word, context) pairs of one pass, shuffled: each word's window shrinks to a random
    size from 1 to ``WINDOW``, so that near words count more, as in word2vec."""
    reach = rng.integers(1, WINDOW + 1, size=len(ids))
    words, contexts = [], []
    for k in range(1, WINDOW + 1):
        near = reach[:-k] >= k  # forward: word at i, context at i + k
        words += [ids[:-k][near], ids[k:][reach[k:] >= k]]
        contexts += [ids[k:][near], ids[:-k][reach[k:] >= k]]
    w, c = np.concatenate(words), np.concatenate(contexts)
    order = rng.permutation(len(w))
    return w[order], c[order]


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def train(ids: np.ndarray, n_words: int, epochs: int, *, seconds: float) -> np.ndarray:
    rng = np.random.default_rng(SEED)
    counts = np.bincount(ids, minlength=n_words).astype(np.float64)
    noise = counts**0.75
    noise_cdf = np.cumsum(noise / noise.sum())
    share = counts / counts.sum()
    keep = np.minimum(1.0, np.sqrt(SUBSAMPLE / np.maximum(share, 1e-12)) + SUBSAMPLE / share)
    w_in = ((rng.random((n_words, DIM)) - 0.5) / DIM).astype(np.float32)
    w_out = np.zeros((n_words, DIM), dtype=np.float32)
    start = time.monotonic()
    for epoch in range(epochs):
        kept = ids[rng.random(len(ids)) < keep[ids]]
        words, contexts = pairs(kept, rng)
        steps = len(words) // BATCH
        for step in range(steps):
            rate = RATE * max(1e-4, 1.0 - (epoch * steps + step) / (epochs * steps))
            batch = slice(step * BATCH, (step + 1) * BATCH)
            w = words[batch]
            targets = np.column_stack(
                [contexts[batch], np.searchsorted(noise_cdf, rng.random((BATCH, NEGATIVES)))]
            )
            labels = np.zeros(targets.shape, dtype=np.float32)
            labels[:, 0] = 1.0
            h, out = w_in[w], w_out[targets]  # (B, D), (B, 1 + NEGATIVES, D)
            g = (labels - sigmoid(np.einsum("bd,bkd->bk", h, out))) * rate
            np.add.at(w_in, w, np.einsum("bk,bkd->bd", g, out))
            np.add.at(w_out, targets, g[:, :, None] * h[:, None, :])
            if time.monotonic() - start > seconds:
                print(f"stopped at the time budget in epoch {epoch + 1}", flush=True)
                return w_in + w_out
        print(json.dumps({"progress": (epoch + 1) / epochs, "step": epoch + 1}), flush=True)
    return w_in + w_out


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/data")
    output = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("/output")
    limits = budget()
    dry = os.environ.get("MILESTONES_DRY_RUN") == "1"
    epochs = 1 if dry else int(limits.get("epochs", EPOCHS))
    vocab, ids = read_data(data)
    print(f"{len(ids)} words of text, {len(vocab)} in the vocabulary", flush=True)
    vectors = train(ids, len(vocab), epochs, seconds=10.0 if dry else float("inf"))
    output.mkdir(parents=True, exist_ok=True)
    np.save(output / "vectors.npy", vectors.astype(np.float32))
    print(f"wrote {vectors.shape[0]} vectors of {vectors.shape[1]} to {output / 'vectors.npy'}")


if __name__ == "__main__":
    main()
