"""The 2017 graph-convolution bundle: it loads, its data are deterministic and the
stochastic block model it says, the hidden topics stay hidden and are
fingerprinted, its dry-run sample is the same graph with labelled nodes set
aside, the reference and the starter (as downloaded, under a dry run, and with
the graph filled in) score their baselines, and the listed baselines are the
measured ones.

The trained baselines (the perceptron, the reference) come from float matrix
products whose last bits follow the BLAS kernels and thread count, so they are
compared within one node of a half (1/1,200): their answers' margins are above
5e-4 where those bits move by 1e-15, and they have measured the same on one thread,
two, and other kernels. The others are exact."""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pytest

from graders.contamination import build_fingerprints, scan
from server.bundles.bundle import read_bundle
from tests.support.bundles import (
    config_of,
    csv_rows,
    files_of,
    load_module,
    page_of,
    prepare_into,
    run_script,
    scores_of,
)
from tests.support.pipeline import CHALLENGES

BUNDLE = CHALLENGES / "2017-graph-convolution"
N_NODES, N_LABELLED = 2_500, 100
N_TEST = N_NODES - N_LABELLED
ONE_NODE = 1 / 1_200  # a half's accuracy when one answer flips
FEATURES = [f"w{i}" for i in range(1, 51)]
Halves = tuple[float, float]


def _score(output: Path, prepared: Path) -> Halves:
    scores = scores_of(BUNDLE, output, prepared)
    return round(scores.public, 4), round(scores.private, 4)


def _listed(position: int) -> Halves:
    baseline = read_bundle(BUNDLE).baselines[position]
    return baseline["score"], baseline["private_score"]


def _close(found: Halves, listed: Halves) -> bool:
    return all(abs(a - b) <= ONE_NODE for a, b in zip(found, listed, strict=True))


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_into(BUNDLE, tmp_path_factory.mktemp("gcn-data"))


def _table(path: Path) -> np.ndarray:
    return np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.int64, ndmin=2)


def test_bundle_loads_without_problems():
    bundle = read_bundle(BUNDLE)
    assert (bundle.slug, bundle.year, bundle.runtime, bundle.gpu) == (
        "2017-graph-convolution",
        2017,
        "numpy",
        "none",
    )
    assert bundle.grading.metric == "accuracy" and bundle.grading.direction == "higher"
    assert [b["name"] for b in bundle.baselines] == [
        "Always the most common label",
        "Two-layer perceptron on the words alone",
        "Label propagation on the graph alone",
        "Graph convolutional network, two layers",
        "Best possible: the Bayes rule told every other node's topic",
    ]


def test_prepare_is_byte_for_byte_deterministic(tmp_path: Path):
    first = files_of(prepare_into(BUNDLE, tmp_path / "first"))
    second = files_of(prepare_into(BUNDLE, tmp_path / "second"))
    names = {f"public/{n}.csv" for n in ("nodes", "edges", "train", "test")}
    assert set(first) == names | {"hidden/labels.csv"}
    assert first == second


def test_public_files_have_the_documented_headers_and_sizes(prepared: Path):
    public = prepared / "public"
    assert csv_rows(public / "nodes.csv")[0] == ["id", *FEATURES]
    assert csv_rows(public / "edges.csv")[0] == ["source", "target"]
    assert csv_rows(public / "train.csv")[0] == ["id", "label"]
    assert csv_rows(public / "test.csv")[0] == ["id"]
    nodes, train, test = (_table(public / f"{n}.csv") for n in ("nodes", "train", "test"))
    assert (nodes[:, 0] == np.arange(N_NODES)).all() and set(np.unique(nodes[:, 1:])) == {0, 1}
    assert len(train) == N_LABELLED and (np.bincount(train[:, 1]) == 20).all()
    assert (np.sort(np.r_[train[:, 0], test[:, 0]]) == np.arange(N_NODES)).all()
    assert (np.diff(train[:, 0]) > 0).all() and (np.diff(test[:, 0]) > 0).all()
    for name in ("nodes", "edges", "train", "test"):
        raw = (public / f"{name}.csv").read_bytes()
        assert b"\r" not in raw and raw.endswith(b"\n")


def test_the_graph_is_the_block_model_the_page_describes(prepared: Path):
    graph = load_module(BUNDLE, "prepare.py").make_graph()
    edges = _table(prepared / "public" / "edges.csv")
    assert (edges == graph.edges).all() and (edges[:, 0] < edges[:, 1]).all()
    keys = edges[:, 0] * N_NODES + edges[:, 1]
    assert (np.diff(keys) > 0).all()  # each link once, in increasing order
    assert (np.bincount(graph.topics) == 500).all()
    same = graph.topics[edges[:, 0]] == graph.topics[edges[:, 1]]
    degree = 2 * len(edges) / N_NODES
    assert 5.7 < degree < 6.3 and 0.62 < same.mean() < 0.72  # four of six links within
    own = np.arange(50)[None, :] // 10 == graph.topics[:, None]
    assert 0.23 < graph.words[own].mean() < 0.27 and 0.09 < graph.words[~own].mean() < 0.11


def test_hidden_labels_are_the_test_nodes_topics_with_a_half_public_split(prepared: Path):
    header, hidden = csv_rows(prepared / "hidden" / "labels.csv")
    topics = load_module(BUNDLE, "prepare.py").make_graph().topics
    test = _table(prepared / "public" / "test.csv")[:, 0]
    assert header == ["id", "label", "split"]
    assert [int(row["id"]) for row in hidden] == test.tolist()
    assert [int(row["label"]) for row in hidden] == topics[test].tolist()
    assert sum(row["split"] == "public" for row in hidden) == N_TEST // 2


def test_hidden_topics_never_reach_the_public_folder_and_are_fingerprinted(prepared: Path):
    assert sorted(p.name for p in (prepared / "public").iterdir()) == [
        "edges.csv",
        "nodes.csv",
        "test.csv",
        "train.csv",
    ]
    fingerprints = build_fingerprints(prepared / "hidden")
    assert len(fingerprints.labels) > 1000 and fingerprints.label_max == 4


def test_an_upload_holding_the_hidden_topics_is_caught_and_the_kits_and_data_are_not(
    prepared: Path,
):
    fingerprints = build_fingerprints(prepared / "hidden")
    _, hidden = csv_rows(prepared / "hidden" / "labels.csv")
    answers = "".join(row["label"] for row in hidden)
    assert scan("main.py", f'ANSWERS = "{answers}"\n'.encode(), fingerprints) is not None
    for kit in ("reference", "starter"):
        source = (BUNDLE / kit / "main.py").read_bytes()
        assert scan("main.py", source, fingerprints) is None
    for public in (prepared / "public").iterdir():  # what a student may embed honestly
        assert scan(public.name, public.read_bytes(), fingerprints) is None


def test_the_dry_run_sample_is_the_same_graph_with_labelled_nodes_set_aside(
    prepared: Path, tmp_path: Path
):
    load_module(BUNDLE, "prepare.py").prepare_dry_run(
        public_dir=prepared / "public", dry_run_dir=tmp_path
    )
    sample, public = tmp_path / "public", prepared / "public"
    assert sorted(p.name for p in sample.iterdir()) == sorted(p.name for p in public.iterdir())
    for name in ("nodes.csv", "edges.csv"):
        assert (sample / name).read_bytes() == (public / name).read_bytes()
    train, learn = _table(public / "train.csv"), _table(sample / "train.csv")
    asked = _table(sample / "test.csv")[:, 0]
    _, hidden = csv_rows(tmp_path / "hidden" / "labels.csv")
    assert (len(learn), len(asked)) == (60, 40)
    assert sorted([*learn[:, 0], *asked]) == train[:, 0].tolist()
    topic = dict(train.tolist())
    assert [(int(r["id"]), int(r["label"])) for r in hidden] == [(i, topic[i]) for i in asked]


def test_reference_reaches_its_listed_result(prepared: Path, tmp_path: Path):
    result = run_script(BUNDLE / "reference" / "main.py", prepared / "public", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "2500 nodes, 7405 edges, 100 labelled" in result.stdout
    assert _close(_score(tmp_path / "out", prepared), _listed(3))


def test_reference_reads_its_budget(prepared: Path, tmp_path: Path):
    code = tmp_path / "code"
    code.mkdir()
    (code / "main.py").write_bytes((BUNDLE / "reference" / "main.py").read_bytes())
    (code / "budget.json").write_text('{"epochs": 30}')
    result = run_script(code / "main.py", prepared / "public", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "after 30 epochs" in result.stdout


def test_starter_is_valid_and_scores_the_perceptron_baseline(prepared: Path, tmp_path: Path):
    result = run_script(BUNDLE / "starter" / "main.py", prepared / "public", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    header, rows = csv_rows(tmp_path / "out" / "predictions.csv")
    assert header == ["id", "label"] and len(rows) == N_TEST
    assert _close(_score(tmp_path / "out", prepared), _listed(1))


def test_starter_trains_briefly_in_a_dry_run(
    prepared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("MILESTONES_DRY_RUN", "1")
    result = run_script(BUNDLE / "starter" / "main.py", prepared / "public", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "after 20 epochs" in result.stdout


def test_starter_with_the_graph_filled_in_scores_the_reference(prepared: Path, tmp_path: Path):
    """The TODO is the only difference: the reference's graph convolution put there."""
    source = (BUNDLE / "starter" / "main.py").read_text(encoding="utf-8")
    todo = "    propagate = identity\n"
    assert source.count(todo) == 1
    convolution = inspect.getsource(load_module(BUNDLE, "reference/main.py").graph_convolution)
    filled = source.replace(todo, "    propagate = graph_convolution(edges, len(nodes))\n")
    filled = filled.replace("\n\ndef main()", f"\n\n{convolution}\n\ndef main()")
    (tmp_path / "main.py").write_text(filled, encoding="utf-8")
    result = run_script(tmp_path / "main.py", prepared / "public", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert _close(_score(tmp_path / "out", prepared), _listed(3))


def test_challenge_toml_grading_matches_the_prepared_split():
    config = config_of(BUNDLE)
    assert config["grading"] == {
        "output": "predictions.csv",
        "reader": "csv_labels",
        "value_column": "label",
        "labels": [0, 1, 2, 3, 4],
        "metric": "accuracy",
        "public_fraction": 0.5,
    }
    assert config["grading"]["public_fraction"] == load_module(BUNDLE, "prepare.py").PUBLIC_FRACTION
    assert all(b["citation"] for b in config["baselines"])


def test_baseline_scores_in_the_toml_and_the_page_are_the_measured_ones():
    config = config_of(BUNDLE)
    measured = load_module(BUNDLE, "reference/baselines.py").measure()
    listed = dict(
        zip(
            ["majority", "mlp", "propagation", "reference", "bound"],
            [(b["score"], b["private_score"]) for b in config["baselines"]],
            strict=True,
        )
    )
    for exact in ("majority", "propagation", "bound"):
        assert listed[exact] == measured[exact], exact
    for trained in ("mlp", "reference"):
        assert _close(measured[trained], listed[trained]), trained
    assert [b.get("bound", False) for b in config["baselines"]] == [False] * 4 + [True]
    page = page_of(BUNDLE)
    assert all(f"{score:.4f}" in page for pair in listed.values() for score in pair)
    assert "/challenges/1998-lenet-mnist/" in page and "/challenges/2017-tiny-transformer/" in page


def test_the_bound_lies_past_every_method_and_the_plausible_best_past_it():
    bundle = read_bundle(BUNDLE)
    bound = max(bundle.baselines[-1]["score"], bundle.baselines[-1]["private_score"])
    methods = [max(b["score"], b["private_score"]) for b in bundle.baselines[:-1]]
    assert max(methods) + 0.1 < bound
    assert bundle.plausible_best is not None and bound + 0.03 < bundle.plausible_best < 1
