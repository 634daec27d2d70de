"""A citation-like graph with word features: the data of the 2017 challenge, made from a seed.

2,500 nodes ("papers") in five equal classes ("topics"), drawn from a stochastic
block model: each pair of nodes is linked with one probability when they share a
topic and a smaller one when they do not, so that a node has four neighbours of
its own topic and two of others on average. Each node has fifty binary word
features: every word is present with probability 0.10, and a topic's own ten
words with 0.25 in its papers, so that words alone name a paper's topic little
more than half the time, even to a rule that knows which words are whose. Twenty
nodes of each topic are labelled (train.csv); every other node is a test node
(test.csv), its topic hidden. Every draw is a whole number compared with a
whole-number threshold: the files are the same on every machine.
``datasets_dir`` is unused.

    PYTHONPATH=. python challenges/2017-graph-convolution/prepare.py OUT_DIR

writes OUT_DIR/public (nodes.csv, edges.csv, train.csv, test.csv) and
OUT_DIR/hidden (labels.csv).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NamedTuple

import numpy as np

from graders.dry_runs import PUBLIC, pick
from graders.splits import assign_splits, write_hidden_labels

SEED = 2017
SPLIT_SEED = 1609  # arXiv 1609.02907, where the graph convolutional network appeared
NODES = 2_500
CLASSES = 5
WORDS = 50
TOPIC_WORDS = 10  # words 10c+1 .. 10c+10 (w1..w50) are topic c's own
LABELLED_PER_CLASS = 20  # as the GCN paper's citation benchmarks have it
ODDS = 1_000_000  # probabilities are whole numbers out of a million
WORD_ODDS = 100_000  # any word in any paper: 0.10
TOPIC_WORD_ODDS = 250_000  # a topic's own word in its papers: 0.25
SAME_ODDS = 8_000  # a link between two papers of one topic: 4 of the 499 others expected
OTHER_ODDS = 1_000  # between topics: 2 of the 2,000 others expected
PUBLIC_FRACTION = 0.5  # must match [grading] public_fraction in challenge.toml
FEATURES = [f"w{i}" for i in range(1, WORDS + 1)]


class Graph(NamedTuple):
    topics: np.ndarray  # (NODES,) each node's class, 0..CLASSES-1: the answer
    words: np.ndarray  # (NODES, WORDS) 0 or 1
    edges: np.ndarray  # (E, 2) source < target, sorted
    labelled: np.ndarray  # the ids of train.csv, increasing


def make_graph() -> Graph:
    """The whole graph, topics included, from the seed."""
    rng = np.random.default_rng(SEED)
    topics = rng.permutation(np.repeat(np.arange(CLASSES), NODES // CLASSES))
    own = np.arange(WORDS)[None, :] // TOPIC_WORDS == topics[:, None]
    odds = np.where(own, TOPIC_WORD_ODDS, WORD_ODDS)
    words = (rng.integers(0, ODDS, size=(NODES, WORDS)) < odds).astype(np.int64)
    source, target = np.triu_indices(NODES, k=1)  # every pair once, in row order
    odds = np.where(topics[source] == topics[target], SAME_ODDS, OTHER_ODDS)
    linked = rng.integers(0, ODDS, size=len(source)) < odds
    edges = np.column_stack([source[linked], target[linked]]).astype(np.int64)
    labelled = np.concatenate(
        [rng.permutation(np.flatnonzero(topics == c))[:LABELLED_PER_CLASS] for c in range(CLASSES)]
    )
    return Graph(topics, words, edges, np.sort(labelled))


def _write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    # "\n" line ends, whole numbers only: the same seed gives the same bytes.
    lines = [",".join(header), *(",".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_nodes(public_dir: Path, graph: Graph) -> None:
    public_dir.mkdir(parents=True, exist_ok=True)
    nodes = [[str(i), *map(str, row)] for i, row in enumerate(graph.words)]
    _write_rows(public_dir / "nodes.csv", ["id", *FEATURES], nodes)
    _write_rows(
        public_dir / "edges.csv", ["source", "target"], [[str(s), str(t)] for s, t in graph.edges]
    )


def prepare(*, public_dir: Path, hidden_dir: Path, datasets_dir: Path) -> None:
    graph = make_graph()
    test = np.setdiff1d(np.arange(NODES), graph.labelled)
    _write_nodes(public_dir, graph)
    labelled = [[str(i), str(graph.topics[i])] for i in graph.labelled]
    _write_rows(public_dir / "train.csv", ["id", "label"], labelled)
    _write_rows(public_dir / "test.csv", ["id"], [[str(i)] for i in test])
    hidden_dir.mkdir(parents=True, exist_ok=True)
    write_hidden_labels(
        hidden_dir / "labels.csv",
        ids=[int(i) for i in test],
        labels=[int(graph.topics[i]) for i in test],
        splits=assign_splits(len(test), public_fraction=PUBLIC_FRACTION, seed=SPLIT_SEED),
    )


def prepare_dry_run(*, public_dir: Path, dry_run_dir: Path) -> None:
    """A dry run's data (``graders.dry_runs``): the same graph, 60 of the labelled
    nodes to learn from and the other 40 set aside as its test nodes."""
    lines = (public_dir / "train.csv").read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], [line.split(",") for line in lines[1:]]
    learn, held = pick(len(rows), n_train=60, n_test=40)
    public = dry_run_dir / PUBLIC
    public.mkdir(parents=True, exist_ok=True)
    for name in ("nodes.csv", "edges.csv"):
        (public / name).write_bytes((public_dir / name).read_bytes())
    _write_rows(public / "train.csv", header.split(","), [rows[i] for i in learn])
    _write_rows(public / "test.csv", ["id"], [[rows[i][0]] for i in held])
    write_hidden_labels(
        dry_run_dir / "hidden" / "labels.csv",
        ids=[int(rows[i][0]) for i in held],
        labels=[int(rows[i][1]) for i in held],
        splits=assign_splits(len(held), public_fraction=0.5, seed=SPLIT_SEED),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="writes OUT_DIR/public and OUT_DIR/hidden")
    args = parser.parse_args()
    prepare(
        public_dir=args.out_dir / "public",
        hidden_dir=args.out_dir / "hidden",
        datasets_dir=args.out_dir / "unused",
    )
    print(f"wrote {args.out_dir}/public and {args.out_dir}/hidden")


if __name__ == "__main__":
    main()
