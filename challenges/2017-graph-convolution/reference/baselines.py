"""Measure the baselines of challenge.toml on this challenge's own data.

    PYTHONPATH=. python challenges/2017-graph-convolution/reference/baselines.py

Prepares the data into a temporary folder (as the server does), then scores, each
learning from the 100 labelled nodes only:
1. the majority: every test node gets the most common label of train.csv (a tie
   goes to the smallest);
2. a two-layer perceptron on each node's words alone: reference/main.py's network
   with the identity in place of the graph convolution;
3. label propagation on the graph alone, no words (Zhou et al., 2004);
4. the reference: reference/main.py's graph convolutional network;
5. a bound: the Bayes rule told how the data were made and every other node's topic;
on the public and private halves of the test set.
"""

from __future__ import annotations

import csv
import importlib.util
import tempfile
from pathlib import Path
from types import ModuleType

import numpy as np

BUNDLE = Path(__file__).resolve().parents[1]
Split = tuple[float, float]  # (public, private), as each board shows it
ALPHA = 0.99  # how much of a node's score comes from its neighbours at each step
STEPS = 200  # the series cut where its terms have shrunk by 0.99^200 < 0.14


def load_module(relative: str) -> ModuleType:
    name = "graph_convolution_" + relative.replace("/", "_").removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, BUNDLE / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_hidden(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The hidden file's ids, labels and splits, in file order."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    column = lambda name: np.array([row[name] for row in rows])  # noqa: E731
    return column("id").astype(np.int64), column("label").astype(np.int64), column("split")


def majority(n_nodes: int, labels: np.ndarray) -> np.ndarray:
    """Every node's scores: 1 for the most common label (a tie goes to the smallest)."""
    scores = np.zeros((n_nodes, int(labels.max()) + 1))
    scores[:, np.bincount(labels).argmax()] = 1.0
    return scores


def label_propagation(
    edges: np.ndarray, n_nodes: int, ids: np.ndarray, labels: np.ndarray
) -> np.ndarray:
    """Zhou et al.'s iteration ``F <- ALPHA S F + (1 - ALPHA) Y`` with
    ``S = D^-1/2 A D^-1/2`` (no self-loops) and ``Y`` the labelled nodes' one-hot
    labels; every node's scores (a node no labelled node reaches scores 0 for all)."""
    y = np.zeros((n_nodes, int(labels.max()) + 1))
    y[ids, labels] = 1.0
    rows, cols = np.r_[edges[:, 0], edges[:, 1]], np.r_[edges[:, 1], edges[:, 0]]
    degree = np.maximum(np.bincount(rows, minlength=n_nodes), 1).astype(np.float64)
    weight = (1.0 / np.sqrt(degree[rows] * degree[cols]))[:, None]
    scores = y.copy()
    for _ in range(STEPS):
        spread = np.zeros_like(scores)
        np.add.at(spread, rows, scores[cols] * weight)
        scores = ALPHA * spread + (1 - ALPHA) * y
    return scores


def told_the_rest(prepare: ModuleType) -> np.ndarray:
    """Every node's scores under the Bayes rule that knows how the data were made
    and every other node's topic: the best possible, as near as it can be measured
    (a method that sees less cannot expect to do better), since given the other
    topics a node's own words and links are all that bear on its own. Its log-odds
    for topic c, up to terms equal for every topic, are
    ``k_c log 3 + n_c log(8 * 0.999 / 0.992)``, with k_c the node's count of topic
    c's own words and n_c of its neighbours in topic c. (It leaves out the links a
    node lacks, a term that differs between topics by under 0.01 nats, and only
    because one of them has 499 other nodes.) An elementwise sum of whole-number
    multiples: the same bits on every machine."""
    graph = prepare.make_graph()
    odds = prepare.ODDS
    p, p_own = prepare.WORD_ODDS / odds, prepare.TOPIC_WORD_ODDS / odds
    q, q_same = prepare.OTHER_ODDS / odds, prepare.SAME_ODDS / odds
    word = np.log(p_own * (1 - p) / (p * (1 - p_own)))  # log 3
    link = np.log(q_same * (1 - q) / (q * (1 - q_same)))
    own = np.arange(prepare.WORDS) // prepare.TOPIC_WORDS
    k = np.stack([graph.words[:, own == c].sum(axis=1) for c in range(prepare.CLASSES)], 1)
    n = np.zeros_like(k)
    source, target = graph.edges[:, 0], graph.edges[:, 1]
    np.add.at(n, (source, graph.topics[target]), 1)
    np.add.at(n, (target, graph.topics[source]), 1)
    return k * word + n * link


def report(name: str, predicted: np.ndarray, truth: np.ndarray, split: np.ndarray) -> Split:
    """Accuracy on the public and on the private half, rounded as challenge.toml lists it."""
    right = predicted == truth
    public, private = right[split == "public"].mean(), right[split == "private"].mean()
    print(f"{name:<12} test {right.mean():.4f}  public {public:.4f}  private {private:.4f}")
    return round(float(public), 4), round(float(private), 4)


def measure() -> dict[str, Split]:
    """Accuracy of each baseline on each half of the test set (4 decimals)."""
    prepare, ref = load_module("prepare.py"), load_module("reference/main.py")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        prepare.prepare(
            public_dir=root / "public", hidden_dir=root / "hidden", datasets_dir=root / "raw"
        )
        graph = ref.read_data(root / "public")
        ids, truth, split = read_hidden(root / "hidden" / "labels.csv")
    assert (ids == graph.test_ids).all()
    n, x = len(graph.words), ref.row_normalised(graph.words)
    ids, labels = graph.train_ids, graph.train_labels
    convolution = ref.graph_convolution(graph.edges, n)
    scores = {
        "majority": majority(n, labels),
        "mlp": ref.train(ref.identity, x, ids, labels, epochs=ref.EPOCHS),
        "propagation": label_propagation(graph.edges, n, ids, labels),
        "reference": ref.train(convolution, x, ids, labels, epochs=ref.EPOCHS),
    }
    scores["bound"] = told_the_rest(prepare)
    return {
        name: report(name, s[graph.test_ids].argmax(axis=1), truth, split)
        for name, s in scores.items()
    }


if __name__ == "__main__":
    measure()
