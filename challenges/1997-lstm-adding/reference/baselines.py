"""Measure the baselines of challenge.toml on this challenge's own data.

    PYTHONPATH=. var/runtimes/torch/bin/python challenges/1997-lstm-adding/reference/baselines.py

(the torch runtime: the project's own environment has no PyTorch). Prepares the
data into a temporary folder (as the server does), then scores, on the whole
test set and on its public and private halves:
1. always 1.0, the mean of the target (its expected MSE is 1/6, the variance
   of a sum of two uniform values);
2. a plain tanh RNN trained by reference/main.py's own code: the same 32 units,
   the same steps, batches, optimizer, schedule and clipping as the LSTM, and
   the same training sequences; only the cell differs;
3. the LSTM of reference/main.py, trained the same way, for comparison;
and, for each model, the share of test sequences whose |error| is below 0.04,
the 1997 paper's test of a sequence "processed correctly". About 4 minutes of
CPU time for the two networks.
"""

from __future__ import annotations

import csv
import importlib.util
import tempfile
import time
from pathlib import Path
from types import ModuleType

import numpy as np

BUNDLE = Path(__file__).resolve().parents[1]


def load_module(relative: str) -> ModuleType:
    name = "lstm_adding_" + relative.replace("/", "_").removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, BUNDLE / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_hidden(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Targets (float64) and splits of the hidden ``id,label,split`` file, in id order."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(row["id"]) for row in rows] == list(range(len(rows)))
    return np.array([float(row["label"]) for row in rows]), np.array([r["split"] for r in rows])


def report(
    name: str, predicted: np.ndarray, truth: np.ndarray, split: np.ndarray
) -> tuple[float, float]:
    """MSE on the public and on the private half, rounded as challenge.toml lists it."""
    errors = np.asarray(predicted, dtype=np.float64) - truth
    squared = errors**2
    public, private = squared[split == "public"].mean(), squared[split == "private"].mean()
    solved = np.mean(np.abs(errors) < 0.04)
    print(
        f"{name:<30} test {squared.mean():.4f}  public {public:.4f}  private {private:.4f}  "
        f"|error| < 0.04: {solved:.1%}"
    )
    return round(float(public), 4), round(float(private), 4)


def trained(reference: ModuleType, cell: str, x: np.ndarray, y: np.ndarray) -> object:
    import torch

    torch.manual_seed(reference.SEED)
    model = reference.Adder(cell=cell)
    started, cpu = time.perf_counter(), time.process_time()
    x_train, y_train = torch.from_numpy(x), torch.from_numpy(y)
    reference.train(model, x_train, y_train, steps=reference.STEPS, device=torch.device("cpu"))
    print(
        f"  {cell}: {reference.STEPS} steps in {time.process_time() - cpu:.0f} s of CPU, "
        f"{time.perf_counter() - started:.0f} s of wall time"
    )
    return model


def measure() -> dict[str, tuple[float, float]]:
    """MSE of each baseline and of the LSTM on each half of the test set (4 decimals)."""
    import torch

    torch.set_num_threads(1)  # as reference/main.py does, whatever the cores
    prepare, reference = load_module("prepare.py"), load_module("reference/main.py")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        prepare.prepare(
            public_dir=root / "public", hidden_dir=root / "hidden", datasets_dir=root / "raw"
        )
        with np.load(root / "public" / "train.npz") as archive:
            x, y = archive["x"], archive["y"]
        with np.load(root / "public" / "test.npz") as archive:
            x_test = torch.from_numpy(archive["x"])
        truth, split = read_hidden(root / "hidden" / "labels.csv")
    # The reference's own split: its last VALIDATION sequences are held out.
    x, y = x[: -reference.VALIDATION], y[: -reference.VALIDATION]
    scores = {"always-1": report("always 1.0", np.ones(len(truth)), truth, split)}
    for cell, name in (("rnn", "plain tanh RNN, 32 units"), ("lstm", "LSTM, 32 cells")):
        model = trained(reference, cell, x, y)
        predicted = reference.predict(model, x_test, torch.device("cpu")).numpy()
        scores[cell] = report(name, predicted, truth, split)
    return scores


def main() -> None:
    measure()


if __name__ == "__main__":
    main()
