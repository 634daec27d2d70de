"""Reference solution: a 34-layer residual network (He, Zhang, Ren & Sun, 2015) on MNIST.

Fully connected, 64 units wide: an input layer (784 -> 64), sixteen residual blocks
of two layers each (64 -> 64, batch norm, ReLU, 64 -> 64, batch norm, then the
block's input added back before the last ReLU: the paper's Fig. 2 with a linear
layer in place of each convolution), and an output layer (64 -> 10): 34 weight
layers, as in the paper's ResNet-34. Trained by SGD with momentum and a one-cycle
learning-rate schedule. ``SHORTCUTS = False`` (or ``Network(depth, shortcuts=False)``)
gives the plain network of the same depth, the one that fails to train.

    python main.py                      # reads /data, writes /output (the sandbox)
    python main.py DATA_DIR OUTPUT_DIR  # the same, anywhere else

A ``budget.json`` beside this file (``{"epochs": 2, "train_limit": 10000}``)
shrinks the run for tests; without it the run is the full one.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

# The CPU-time limit counts every thread. OpenMP's idle threads spin while they
# wait for work, burning CPU time whenever the cores are busy with anything else;
# waiting passively costs almost no speed. It must be set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

DATA = Path("/data")
OUTPUT = Path("/output")
SEED = 2015
DEPTH = 34  # weight layers: the input layer, two per block, the output layer
WIDTH = 64
SHORTCUTS = True
EPOCHS = 10
BATCH = 128
MAX_LEARNING_RATE = 0.05
MOMENTUM = 0.9
WEIGHT_DECAY = 5e-4


def read_idx(path: Path) -> np.ndarray:
    """An IDX file of unsigned bytes as an array: images [N, 28, 28] or labels [N]."""
    data = path.read_bytes()
    if data[:3] != b"\x00\x00\x08":
        raise ValueError(f"{path} is not an IDX file of unsigned bytes")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def read_budget() -> dict[str, int]:
    path = Path(__file__).resolve().parent / "budget.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


class Block(nn.Module):
    """Two weight layers; with a shortcut, their input is added to their output."""

    def __init__(self, width: int, shortcut: bool) -> None:
        super().__init__()
        self.shortcut = shortcut
        self.branch = nn.Sequential(
            nn.Linear(width, width),
            nn.BatchNorm1d(width),
            nn.ReLU(),
            nn.Linear(width, width),
            nn.BatchNorm1d(width),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # The identity shortcut: the block need only learn a change to x, and at
        # worst (branch near zero) passes x on unchanged, and its gradient with it.
        return F.relu(x + self.branch(x)) if self.shortcut else F.relu(self.branch(x))


class Network(nn.Module):
    def __init__(self, depth: int = DEPTH, *, shortcuts: bool = SHORTCUTS) -> None:
        super().__init__()
        assert depth >= 4 and depth % 2 == 0, "an input layer, blocks of two, an output layer"
        self.input = nn.Sequential(nn.Linear(28 * 28, WIDTH), nn.BatchNorm1d(WIDTH), nn.ReLU())
        self.blocks = nn.Sequential(*(Block(WIDTH, shortcuts) for _ in range((depth - 2) // 2)))
        self.output = nn.Linear(WIDTH, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.output(self.blocks(self.input(x)))


def train(model: Network, images: torch.Tensor, labels: torch.Tensor, *, epochs: int) -> None:
    generator = torch.Generator().manual_seed(SEED)
    steps_per_epoch = (len(images) + BATCH - 1) // BATCH
    optimizer = torch.optim.SGD(
        model.parameters(), lr=MAX_LEARNING_RATE, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY
    )
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=MAX_LEARNING_RATE, epochs=epochs, steps_per_epoch=steps_per_epoch
    )
    model.train()
    for epoch in range(epochs):
        started, total, right = time.perf_counter(), 0.0, 0
        order = torch.randperm(len(images), generator=generator).to(images.device)
        for start in range(0, len(images), BATCH):
            batch = order[start : start + BATCH]
            logits = model(images[batch])
            loss = F.cross_entropy(logits, labels[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(batch)
            right += int((logits.argmax(1) == labels[batch]).sum())
        # The degradation problem shows here: training accuracy, not test accuracy.
        print(
            f"epoch {epoch + 1}/{epochs}: loss {total / len(images):.4f}, "
            f"train accuracy {right / len(images):.4f}, {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        # A progress line: the submission's page shows it as progress and curves.
        line = {"progress": (epoch + 1) / epochs, "step": epoch + 1, "loss": total / len(images)}
        print(json.dumps({**line, "train_acc": right / len(images)}), flush=True)


@torch.no_grad()
def predict(model: Network, images: torch.Tensor) -> np.ndarray:
    model.eval()
    chunks = [model(images[i : i + 1000]).argmax(1) for i in range(0, len(images), 1000)]
    return torch.cat(chunks).cpu().numpy()


def to_tensor(images: np.ndarray, device: torch.device, mean: float, std: float) -> torch.Tensor:
    x = torch.from_numpy(images.astype(np.float32) / 255.0).flatten(1)
    return ((x - mean) / std).to(device)


def write_predictions(path: Path, labels: np.ndarray) -> None:
    lines = ["id,label", *(f"{i},{int(label)}" for i, label in enumerate(labels))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(data: Path, output: Path, model: Network, budget: dict[str, int]) -> None:
    """Train ``model`` on the data in ``data`` and write its predictions to ``output``."""
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    train_images = read_idx(data / "train-images-idx3-ubyte")
    train_labels = read_idx(data / "train-labels-idx1-ubyte")
    limit = int(budget.get("train_limit", len(train_images)))
    train_images, train_labels = train_images[:limit], train_labels[:limit]
    mean, std = float(train_images.mean()) / 255.0, float(train_images.std()) / 255.0
    epochs = int(budget.get("epochs", EPOCHS))
    print(f"{len(train_images)} training images, {epochs} epochs on {device}", flush=True)
    model = model.to(device)
    y = torch.from_numpy(train_labels.astype(np.int64)).to(device)
    train(model, to_tensor(train_images, device, mean, std), y, epochs=epochs)
    test_images = read_idx(data / "test-images-idx3-ubyte")
    predicted = predict(model, to_tensor(test_images, device, mean, std))
    output.mkdir(parents=True, exist_ok=True)
    write_predictions(output / "predictions.csv", predicted)
    print(f"wrote {len(predicted)} predictions", flush=True)


def main() -> None:
    data, output = (Path(sys.argv[1]), Path(sys.argv[2])) if len(sys.argv) == 3 else (DATA, OUTPUT)
    torch.manual_seed(SEED)
    run(data, output, Network(), read_budget())


if __name__ == "__main__":
    main()
