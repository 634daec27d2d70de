"""Tiny Shakespeare, cut into a text to learn word vectors from and hidden cloze items.

The first 90% of the corpus is public (``train.txt``, the same cut as the 2017
challenge's), with the vocabulary (``vocab.txt``: every word seen at least
``MIN_COUNT`` times in it, most frequent first, ties in alphabetical order). Words
are runs of the letters a-z in the lowercased text (``WORD``).

The last 10% stays hidden (``hidden/text.txt``, fingerprinted against uploads). From
it come the cloze items (``hidden/items.csv``): a word of the vocabulary, not one of
its ``SKIP_TOP`` most frequent, with the vocabulary words among the ``WINDOW`` words
on each side as its context; the word and ``CANDIDATES - 1`` distractors of about
its frequency (within ``RANK_SPREAD`` ranks, none in the context) are the
candidates, in a seeded order, and ``hidden/labels.csv`` says which is right. Items
lie at least ``2 * WINDOW + 1`` words apart, so no two share a context word. Text
slices, counts and a seeded generator only: the same bytes on every machine.

    PYTHONPATH=. python challenges/2013-word2vec-shakespeare/prepare.py OUT_DIR [DATASETS_DIR]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import numpy as np

from graders.datasets import shakespeare
from graders.splits import assign_splits, write_hidden_labels

TRAIN_FRACTION = 0.9
WORD = re.compile(r"[a-z]+")
MIN_COUNT = 5
WINDOW = 5  # words on each side of the blank
MIN_CONTEXT = 4  # vocabulary words in the window, at least
SKIP_TOP = 100  # the most frequent words (the, and, to, ...) are never the blank
CANDIDATES = 5  # the right word and four distractors: chance is 0.2
RANK_SPREAD = 25  # distractors come from the ranks within this of the right word's
SEED = 2013
PUBLIC_FRACTION = 0.5
SPLIT_SEED = 1301  # arXiv 1301.3781, "Efficient Estimation of Word Representations"
# The dry run's sample, from train.txt: words to learn from, then text to make items of.
DRY_TRAIN_CHARS = 300_000
DRY_HELD_CHARS = 60_000


class Item(NamedTuple):
    candidates: tuple[int, ...]  # vocabulary indices, in the order shown to the grader
    answer: int  # the right candidate's position in ``candidates``
    context: tuple[int, ...]  # vocabulary indices of the window's words, in text order


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def split_text(text: str) -> tuple[str, str]:
    cut = int(len(text) * TRAIN_FRACTION)
    return text[:cut], text[cut:]


def vocabulary(train: str) -> list[str]:
    counts = Counter(words(train))
    kept = [(-n, w) for w, n in counts.items() if n >= MIN_COUNT]
    return [w for _, w in sorted(kept)]


def make_items(held: str, vocab: list[str], *, seed: int = SEED) -> list[Item]:
    """The cloze items of ``held`` (see the module's docstring), in text order."""
    rank = {w: i for i, w in enumerate(vocab)}
    ids = [rank.get(w, -1) for w in words(held)]
    rng = np.random.default_rng(seed)
    items: list[Item] = []
    free_from = 0
    for at, target in enumerate(ids):
        if at < free_from or target < SKIP_TOP:
            continue
        window = ids[max(0, at - WINDOW) : at] + ids[at + 1 : at + 1 + WINDOW]
        context = tuple(i for i in window if i >= 0)
        if len(context) < MIN_CONTEXT:
            continue
        near = [
            r
            for r in range(max(SKIP_TOP, target - RANK_SPREAD), target + RANK_SPREAD + 1)
            if r < len(vocab) and r != target and r not in context
        ]
        chosen = rng.choice(near, size=CANDIDATES - 1, replace=False)
        candidates = [target, *(int(r) for r in chosen)]
        order = rng.permutation(CANDIDATES)
        shown = tuple(candidates[i] for i in order)
        items.append(Item(shown, shown.index(target), context))
        free_from = at + 2 * WINDOW + 1
    return items


def write_items(hidden_dir: Path, items: list[Item], *, split_seed: int) -> None:
    """``items.csv`` (what the grader asks) and ``labels.csv`` (the answers and splits)."""
    hidden_dir.mkdir(parents=True, exist_ok=True)
    lines = ["id,candidates,context"]
    lines += [
        f"{i},{' '.join(map(str, item.candidates))},{' '.join(map(str, item.context))}"
        for i, item in enumerate(items)
    ]
    (hidden_dir / "items.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_hidden_labels(
        hidden_dir / "labels.csv",
        ids=list(range(len(items))),
        labels=[item.answer for item in items],
        splits=assign_splits(len(items), public_fraction=PUBLIC_FRACTION, seed=split_seed),
    )


def _write_public(public_dir: Path, train: str, vocab: list[str]) -> None:
    public_dir.mkdir(parents=True, exist_ok=True)
    # newline="": the text's own line ends, byte for byte, on every platform.
    (public_dir / "train.txt").write_text(train, encoding="utf-8", newline="")
    (public_dir / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")


def prepare(*, public_dir: Path, hidden_dir: Path, datasets_dir: Path) -> None:
    train, held = split_text(shakespeare.text(datasets_dir))
    vocab = vocabulary(train)
    _write_public(public_dir, train, vocab)
    hidden_dir.mkdir(parents=True, exist_ok=True)
    (hidden_dir / "text.txt").write_text(held, encoding="utf-8", newline="")
    write_items(hidden_dir, make_items(held, vocab), split_seed=SPLIT_SEED)


def prepare_dry_run(*, public_dir: Path, dry_run_dir: Path) -> None:
    """The start of train.txt to learn from and items from the text after it, with
    the real vocabulary (the vectors' rows stay the same); all of it public already."""
    train = (public_dir / "train.txt").read_text(encoding="utf-8")
    vocab = (public_dir / "vocab.txt").read_text(encoding="utf-8").split()
    sample, held = train[:DRY_TRAIN_CHARS], train[DRY_TRAIN_CHARS:][:DRY_HELD_CHARS]
    _write_public(dry_run_dir / "public", sample, vocab)
    write_items(dry_run_dir / "hidden", make_items(held, vocab), split_seed=SPLIT_SEED)


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
