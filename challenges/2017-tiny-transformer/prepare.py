"""Tiny Shakespeare, split for interactive grading.

The first 90% of the corpus is public (``train.txt``), with the vocabulary (all
65 characters of the corpus, sorted by code point) in ``vocab.json``. The last
10% stays hidden: the grader reads it from ``hidden/`` and shows it to the
program only as contexts, one character at a time, after each answer.

The hidden text is cut into ``STREAMS`` streams spread evenly over it; each has
``STEPS`` evaluated positions and the ``CONTEXT`` characters before them, and
no stream's characters overlap another's (``graders.interactive.char_lm``).
Half of the streams are public, half private.

    PYTHONPATH=. python challenges/2017-tiny-transformer/prepare.py OUT_DIR [DATASETS_DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from graders.datasets import shakespeare
from graders.interactive.char_lm import lay_out_streams
from graders.splits import assign_splits, write_hidden_labels

TRAIN_FRACTION = 0.9
# Must match [grading] steps and context in challenge.toml.
STREAMS = 256
STEPS = 16
CONTEXT = 256
PUBLIC_FRACTION = 0.5
SPLIT_SEED = 2017


def split_text(text: str) -> tuple[str, str]:
    cut = int(len(text) * TRAIN_FRACTION)
    return text[:cut], text[cut:]


def prepare(*, public_dir: Path, hidden_dir: Path, datasets_dir: Path) -> None:
    text = shakespeare.text(datasets_dir)
    vocab = sorted(set(text))
    train, hidden = split_text(text)
    public_dir.mkdir(parents=True, exist_ok=True)
    hidden_dir.mkdir(parents=True, exist_ok=True)
    # newline="": the text's own line ends, byte for byte, on every platform.
    (public_dir / "train.txt").write_text(train, encoding="utf-8", newline="")
    for folder in (public_dir, hidden_dir):
        (folder / "vocab.json").write_text(json.dumps(vocab) + "\n", encoding="utf-8")
    (hidden_dir / "text.txt").write_text(hidden, encoding="utf-8", newline="")
    starts = lay_out_streams(len(hidden), streams=STREAMS, context=CONTEXT, steps=STEPS)
    write_hidden_labels(
        hidden_dir / "labels.csv",
        ids=list(range(STREAMS)),
        labels=starts,
        splits=assign_splits(STREAMS, public_fraction=PUBLIC_FRACTION, seed=SPLIT_SEED),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="writes OUT_DIR/public and OUT_DIR/hidden")
    parser.add_argument("datasets_dir", type=Path, nargs="?", default=Path("../shared/datasets"))
    args = parser.parse_args()
    prepare(
        public_dir=args.out_dir / "public",
        hidden_dir=args.out_dir / "hidden",
        datasets_dir=args.datasets_dir,
    )
    print(f"wrote {args.out_dir}/public and {args.out_dir}/hidden")


if __name__ == "__main__":
    main()
