"""Measure the baselines of challenge.toml on this challenge's own data.

    PYTHONPATH=. python challenges/1958-perceptron/reference/baselines.py

Prepares the data into a temporary folder (as the server does), then scores
1. always-majority: every test point gets the label most common in train.csv;
2. Rosenblatt's learning rule: reference/main.py's ``train``, run until a pass
   over the training set makes no mistake;
on the whole test set and on its public and private halves. It also prints the
numbers of Novikoff's convergence theorem for this training set: the radius R,
the margin of the hidden plane, the bound on mistakes, and the mistakes made.
"""

from __future__ import annotations

import csv
import importlib.util
import tempfile
from pathlib import Path
from types import ModuleType

import numpy as np

BUNDLE = Path(__file__).resolve().parents[1]


def load_module(relative: str) -> ModuleType:
    name = "perceptron_" + relative.replace("/", "_").removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, BUNDLE / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_hidden(path: Path) -> dict[str, np.ndarray]:
    """The hidden ``id,label,split`` file as arrays by column (ids and labels as integers)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        "id": np.array([int(row["id"]) for row in rows]),
        "label": np.array([int(row["label"]) for row in rows]),
        "split": np.array([row["split"] for row in rows]),
    }


Split = tuple[float, float]  # (public, private), as each board shows it


def report(name: str, predicted: np.ndarray, truth: np.ndarray, split: np.ndarray) -> Split:
    """Accuracy on the public and on the private half, rounded as challenge.toml lists it."""
    right = predicted == truth
    public, private = right[split == "public"].mean(), right[split == "private"].mean()
    print(f"{name:<26} test {right.mean():.4f}  public {public:.4f}  private {private:.4f}")
    return round(float(public), 4), round(float(private), 4)


def novikoff(x: np.ndarray, labels: np.ndarray, plane: tuple[np.ndarray, float]) -> None:
    """Print R, the margin gamma of the hidden plane and the bound (R / gamma)^2.

    With the bias folded in as a constant input 1, the separating vector is
    u = (w, b) / |(w, b)|, so the margin of each point is |w . x + b| / |(w, b)|."""
    w, b = plane
    norm = float(np.sqrt(w @ w + b * b))
    gamma = float(np.min((2 * labels - 1) * (x @ np.append(w, b))) / norm)
    radius = float(np.max(np.linalg.norm(x, axis=1)))
    print(
        f"Novikoff: R = {radius:.3f}, gamma = {gamma:.4f}, bound (R/gamma)^2 = "
        f"{(radius / gamma) ** 2:.0f} mistakes"
    )


def measure() -> dict[str, Split]:
    """Accuracy of each baseline on each half of the test set (4 decimals)."""
    prepare, reference = load_module("prepare.py"), load_module("reference/main.py")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        prepare.prepare(
            public_dir=root / "public", hidden_dir=root / "hidden", datasets_dir=root / "raw"
        )
        train = reference.read_csv(root / "public" / "train.csv")
        test = reference.read_csv(root / "public" / "test.csv")
        hidden = read_hidden(root / "hidden" / "labels.csv")
    x, labels = reference.features(train), train["label"].astype(np.int64)
    truth, split = hidden["label"], hidden["split"]
    assert (hidden["id"] == test["id"]).all()
    majority = int(labels.mean() >= 0.5)
    scores = {"majority": report(f"always {majority}", np.full(len(truth), majority), truth, split)}
    w, mistakes, passes = reference.train(x, labels, max_epochs=reference.MAX_EPOCHS)
    predicted = reference.predict(w, reference.features(test))
    scores["rosenblatt"] = report("Rosenblatt's rule", predicted, truth, split)
    w_plane, b_plane = prepare.hidden_plane()
    by_plane = (reference.features(test) @ np.append(w_plane, b_plane) > 0).astype(np.int64)
    scores["plane"] = report("the secret plane", by_plane, truth, split)  # the bound
    novikoff(x, labels, prepare.hidden_plane())
    print(f"the rule made {mistakes} mistakes in {passes} passes over {len(x)} points")
    return scores


def main() -> None:
    measure()


if __name__ == "__main__":
    main()
