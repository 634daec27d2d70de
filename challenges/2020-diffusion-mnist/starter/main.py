"""Starter for "2020 — denoising diffusion": a tiny denoiser in PyTorch.

The denoiser is a small fully connected network that sees a noisy image and the
step of the noise schedule, and guesses the noise that was added; sampling starts
from pure noise and removes the guessed noise over a few DDIM steps. It trains for
only a few hundred steps, so the samples are smudges: a valid submission with a
poor score. Run it, look at your samples, then work through the TODOs.

    python main.py                      # in the sandbox: reads /data, writes /output
    python main.py DATA_DIR OUTPUT_DIR  # on your machine, e.g. python main.py data out
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

DATA = Path("/data")
OUTPUT = Path("/output")
SEED = int(os.environ.get("MILESTONES_SEED", 0))  # the sandbox gives each run a seed
T = 1000  # steps of the noise schedule
STEPS = 800  # TODO: many thousands of training steps
BATCH = 64
SAMPLING_STEPS = 5  # TODO: more DDIM steps give finer images, at a cost in time
N_SAMPLES = 10_000  # the grader wants exactly this many images


# --- The warning before the time limit ---
# A little before the wall-clock or CPU limit (30 s before it, a tenth of it for limits
# under 300 s) the grader sends SIGTERM to a program that catches it. Training inside
# `with stop_at_the_warning():` stops where it is; the program goes on with the model
# as it stands, and what it then writes is scored (the page says it was cut short).
class TimeUp(Exception):
    """SIGTERM came: the time limit is near."""


@contextlib.contextmanager
def stop_at_the_warning() -> Iterator[None]:
    armed = True

    def time_up(signum: int, frame: object) -> None:
        if armed:
            raise TimeUp

    signal.signal(signal.SIGTERM, time_up)
    try:
        yield
    except TimeUp:
        print(
            "SIGTERM: the time limit is near; going on with the model as it stands",
            file=sys.stderr,
            flush=True,
        )
    finally:
        armed = False  # a warning after training no longer interrupts anything


# --- end of the warning block ---


def read_idx(path: Path) -> np.ndarray:
    """An IDX file of unsigned bytes: images [N, 28, 28] or labels [N]."""
    data = path.read_bytes()
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def alpha_bar(t: torch.Tensor) -> torch.Tensor:
    """The share of the image's signal left at step t (0..T), a cosine schedule:
    x_t = sqrt(alpha_bar) x_0 + sqrt(1 - alpha_bar) noise."""
    return (torch.cos((t / T + 0.008) / 1.008 * math.pi / 2) ** 2).clamp(1e-5, 1.0)


class Denoiser(nn.Module):
    # TODO: a small U-Net: convolutions at 28x28, 14x14 and 7x7, skip connections,
    # the step fed to every block through a sinusoidal embedding.
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(784 + 1, 256), nn.SiLU(), nn.Linear(256, 256), nn.SiLU(), nn.Linear(256, 784)
        )

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([x, t[:, None] / T], dim=1))


def train(model: Denoiser, images: torch.Tensor) -> None:
    # TODO: an exponential moving average of the weights samples better than the weights.
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for step in range(STEPS):
        x0 = images[torch.randint(len(images), (BATCH,))]
        t = torch.randint(1, T + 1, (BATCH,)).float()
        a = alpha_bar(t)[:, None]
        noise = torch.randn_like(x0)
        # DDPM's "simple" loss: guess the noise that made x_t from x_0.
        loss = F.mse_loss(model(a.sqrt() * x0 + (1 - a).sqrt() * noise, t), noise)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 100 == 0:
            print(f"step {step}: loss {loss.item():.4f}")
            # A progress line: the submission's page shows it as progress and curves.
            print(json.dumps({"progress": step / STEPS, "step": step, "loss": loss.item()}))


@torch.no_grad()
def sample(model: Denoiser, n: int) -> torch.Tensor:
    """DDIM (eta = 0): from pure noise, guess the noise, hence the clean image, and
    move to the next, smaller noise level along that guess."""
    times = torch.linspace(T, 0, SAMPLING_STEPS + 1).round().tolist()
    x = torch.randn(n, 784)
    for t, t_next in itertools.pairwise(times):
        a, a_next = alpha_bar(torch.tensor(t)), alpha_bar(torch.tensor(t_next))
        noise = model(x, torch.full((n,), t))
        x0 = ((x - (1 - a).sqrt() * noise) / a.sqrt()).clamp(-1, 1)
        x = a_next.sqrt() * x0 + (1 - a_next).sqrt() * noise if t_next > 0 else x0
    return x


def main() -> None:
    data, output = (Path(sys.argv[1]), Path(sys.argv[2])) if len(sys.argv) == 3 else (DATA, OUTPUT)
    started = time.perf_counter()
    torch.manual_seed(SEED)
    train_images = read_idx(data / "train-images-idx3-ubyte")
    # Pixels 0..255 -> [-1, 1]: the clean images the noise is added to.
    images = torch.from_numpy(train_images.reshape(-1, 784).astype(np.float32) / 127.5 - 1.0)
    model = Denoiser()
    with stop_at_the_warning():
        train(model, images)
    fake = sample(model, N_SAMPLES).reshape(N_SAMPLES, 28, 28)
    # Back to 0..255, rounded, as uint8: the only format the grader accepts.
    samples = ((fake + 1.0) * 127.5).round().clamp(0, 255).to(torch.uint8).numpy()
    output.mkdir(parents=True, exist_ok=True)
    np.save(output / "samples.npy", samples)
    print(f"wrote {samples.shape} {samples.dtype} samples in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
