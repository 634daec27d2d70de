"""Reference solution: LeNet-5 (LeCun, Bottou, Bengio & Haffner, 1998) in PyTorch.

The layers of the paper: C1 (6 maps, 5x5), S2 (2x2 subsampling), C3 (16 maps,
5x5), S4, C5 (120 units), F6 (84 units), 10 outputs. Two modern substitutions,
both named where they happen: ReLU and max pooling in place of the scaled tanh
and the trainable average subsampling, and a softmax with cross-entropy in place
of the Euclidean RBF output units. Trained by Adam on mini-batches, with small
random translations of the training images (the paper's "distortions"), and
a one-cycle learning-rate schedule. Uses CUDA when it is available.

    python main.py                      # reads /data, writes /output (the sandbox)
    python main.py DATA_DIR OUTPUT_DIR  # the same, anywhere else

A ``budget.json`` beside this file (``{"epochs": 1, "train_limit": 5000}``)
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
SEED = 1998
EPOCHS = 12
BATCH = 128
MAX_LEARNING_RATE = 3e-3
SHIFT = 2  # training images move by up to this many pixels in each direction


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


class LeNet5(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        # MNIST digits are 28x28; padding 2 gives C1 the paper's 32x32 field, so
        # strokes near the border reach the centre of some receptive field.
        self.c1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)  # -> 6 x 28 x 28
        # The paper connects each C3 map to a subset of S2's maps (Table I) to
        # break symmetry and save computation; full connection does as well here.
        self.c3 = nn.Conv2d(6, 16, kernel_size=5)  # -> 16 x 10 x 10
        self.c5 = nn.Linear(16 * 5 * 5, 120)  # a 5x5 convolution over a 5x5 map
        self.f6 = nn.Linear(120, 84)
        self.output = nn.Linear(84, 10)  # the paper: 10 Euclidean RBF units

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.c1(x)), 2)  # S2: the paper averages, then squashes
        x = F.max_pool2d(F.relu(self.c3(x)), 2)  # S4
        x = F.relu(self.c5(x.flatten(1)))
        x = F.relu(self.f6(x))
        return self.output(x)


def shifted(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Each image of a batch [B, 1, 28, 28] moved by its own random offset."""
    size = images.shape[-1]
    padded = F.pad(images, (SHIFT, SHIFT, SHIFT, SHIFT))
    offsets = torch.randint(0, 2 * SHIFT + 1, (len(images), 2), generator=generator)
    offsets = offsets.to(images.device)
    steps = torch.arange(size, device=images.device)
    rows = (offsets[:, 0:1] + steps)[:, :, None]  # [B, 28, 1]
    cols = (offsets[:, 1:2] + steps)[:, None, :]  # [B, 1, 28]
    batch = torch.arange(len(images), device=images.device)[:, None, None]
    return padded[batch, 0, rows, cols].unsqueeze(1)


def train(model: LeNet5, images: torch.Tensor, labels: torch.Tensor, *, epochs: int) -> None:
    generator = torch.Generator().manual_seed(SEED)
    steps_per_epoch = (len(images) + BATCH - 1) // BATCH
    optimizer = torch.optim.Adam(model.parameters(), lr=MAX_LEARNING_RATE)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=MAX_LEARNING_RATE, epochs=epochs, steps_per_epoch=steps_per_epoch
    )
    model.train()
    for epoch in range(epochs):
        started, total, right = time.perf_counter(), 0.0, 0
        order = torch.randperm(len(images), generator=generator).to(images.device)
        for start in range(0, len(images), BATCH):
            batch = order[start : start + BATCH]
            x, y = shifted(images[batch], generator), labels[batch]
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(batch)
            right += int((logits.argmax(1) == y).sum())
        print(
            f"epoch {epoch + 1}/{epochs}: loss {total / len(images):.4f}, "
            f"train accuracy {right / len(images):.4f}, {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        # A progress line: the submission's page shows it as progress and curves.
        line = {"progress": (epoch + 1) / epochs, "step": epoch + 1, "loss": total / len(images)}
        print(json.dumps({**line, "train_acc": right / len(images)}), flush=True)


@torch.no_grad()
def predict(model: LeNet5, images: torch.Tensor) -> np.ndarray:
    model.eval()
    chunks = [model(images[i : i + 1000]).argmax(1) for i in range(0, len(images), 1000)]
    return torch.cat(chunks).cpu().numpy()


def to_tensor(images: np.ndarray, device: torch.device, mean: float, std: float) -> torch.Tensor:
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    return ((x - mean) / std).to(device)


def write_predictions(path: Path, labels: np.ndarray) -> None:
    lines = ["id,label", *(f"{i},{int(label)}" for i, label in enumerate(labels))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    data, output = (Path(sys.argv[1]), Path(sys.argv[2])) if len(sys.argv) == 3 else (DATA, OUTPUT)
    budget = read_budget()
    torch.manual_seed(SEED)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    train_images = read_idx(data / "train-images-idx3-ubyte")
    train_labels = read_idx(data / "train-labels-idx1-ubyte")
    test_images = read_idx(data / "test-images-idx3-ubyte")
    limit = int(budget.get("train_limit", len(train_images)))
    train_images, train_labels = train_images[:limit], train_labels[:limit]
    mean, std = float(train_images.mean()) / 255.0, float(train_images.std()) / 255.0
    epochs = int(budget.get("epochs", EPOCHS))
    print(f"{len(train_images)} training images, {epochs} epochs on {device}", flush=True)
    model = LeNet5().to(device)
    y = torch.from_numpy(train_labels.astype(np.int64)).to(device)
    train(model, to_tensor(train_images, device, mean, std), y, epochs=epochs)
    predicted = predict(model, to_tensor(test_images, device, mean, std))
    output.mkdir(parents=True, exist_ok=True)
    write_predictions(output / "predictions.csv", predicted)
    print(f"wrote {len(predicted)} predictions", flush=True)


if __name__ == "__main__":
    main()
