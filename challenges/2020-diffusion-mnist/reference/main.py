"""Reference solution: a small denoising diffusion model (Ho, Jain & Abbeel, 2020) with
a few-step DDIM sampler (Song, Meng & Ermon, 2021), in PyTorch.

Training: an image x0 in [-1, 1] is noised to x_t = sqrt(a_t) x0 + sqrt(1 - a_t) eps
at a random step t of a cosine schedule (Nichol & Dhariwal, 2021; T = 1000 steps),
and a small convolutional U-Net learns to predict eps from (x_t, t) under a mean
squared error: DDPM's "simple" loss. An exponential moving average of the weights
is what samples, as in the DDPM paper. Sampling: DDIM's deterministic update
(eta = 0) on a few evenly spaced steps of the schedule, from pure noise to an image.

The U-Net: 28x28 with 32 channels, 14x14 with 64, 7x7 with 64, a residual block
with group normalisation and SiLU at each level on the way down and up (skip
connections by concatenation), and the step t fed to every block through a
sinusoidal embedding. Uses CUDA when it is available.

    python main.py                      # reads /data, writes /output (the sandbox)
    python main.py DATA_DIR OUTPUT_DIR  # the same, anywhere else

MILESTONES_SEED, when set (the sandbox sets it), seeds the run; otherwise SEED does.
A ``budget.json`` beside this file (``{"epochs": 1, "train_limit": 20000,
"sampling_steps": 5}``) shrinks the run for tests; without it the run is the full one.
"""

from __future__ import annotations

import contextlib
import copy
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
SEED = 2020
EPOCHS = 2
BATCH = 64
LEARNING_RATE = 2e-3
EMA_DECAY = 0.995
T = 1000  # steps of the noise schedule
SAMPLING_STEPS = 8  # DDIM steps at sampling time
N_SAMPLES = 10_000
SAMPLE_BATCH = 1000


class TimeUp(Exception):
    """SIGTERM came: the time limit is near."""


@contextlib.contextmanager
def stop_at_the_warning() -> Iterator[None]:
    """Training inside this block stops at the grader's SIGTERM warning; the program
    then samples with the model as it stands."""
    armed = True

    def time_up(signum: int, frame: object) -> None:
        if armed:
            raise TimeUp

    signal.signal(signal.SIGTERM, time_up)
    try:
        yield
    except TimeUp:
        print("SIGTERM: the time limit is near; sampling with the model as it stands", flush=True)
    finally:
        armed = False


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


def cosine_alpha_bar(t: torch.Tensor) -> torch.Tensor:
    """The share of signal left at step t (0..T): Nichol & Dhariwal's cosine schedule,
    clipped so that the last steps keep a trace of signal (their beta <= 0.999)."""
    s = 0.008
    f = torch.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2
    return (f / math.cos(s / (1 + s) * math.pi / 2) ** 2).clamp(1e-5, 1.0)


def step_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoids of the step at geometric frequencies, as in the Transformer."""
    half = dim // 2
    freqs = torch.exp(-math.log(10_000) * torch.arange(half, device=t.device) / half)
    angles = t.float()[:, None] * freqs[None]
    return torch.cat([angles.sin(), angles.cos()], dim=1)


class Block(nn.Module):
    """A residual block: norm, SiLU, conv, plus the step's embedding, twice."""

    def __init__(self, c_in: int, c_out: int, emb: int) -> None:
        super().__init__()
        self.norm1, self.conv1 = nn.GroupNorm(8, c_in), nn.Conv2d(c_in, c_out, 3, padding=1)
        self.step = nn.Linear(emb, c_out)
        self.norm2, self.conv2 = nn.GroupNorm(8, c_out), nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x))) + self.step(emb)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return h + self.skip(x)


class UNet(nn.Module):
    def __init__(self, c1: int = 16, c2: int = 32, c3: int = 64, emb: int = 64) -> None:
        super().__init__()
        self.emb_dim = emb
        self.embed = nn.Sequential(nn.Linear(emb, emb), nn.SiLU(), nn.Linear(emb, emb))
        self.stem = nn.Conv2d(1, c1, 3, padding=1)
        self.down1 = Block(c1, c1, emb)  # 28x28
        self.pool1 = nn.Conv2d(c1, c1, 3, stride=2, padding=1)  # -> 14x14
        self.down2 = Block(c1, c2, emb)
        self.pool2 = nn.Conv2d(c2, c2, 3, stride=2, padding=1)  # -> 7x7
        self.middle = Block(c2, c3, emb)
        self.up2 = Block(c3 + c2, c2, emb)  # 14x14, with down2's output
        self.up1 = Block(c2 + c1, c1, emb)  # 28x28, with down1's output
        self.head = nn.Sequential(nn.GroupNorm(8, c1), nn.SiLU(), nn.Conv2d(c1, 1, 3, padding=1))

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        emb = self.embed(step_embedding(t, self.emb_dim))
        h1 = self.down1(self.stem(x), emb)
        h2 = self.down2(self.pool1(h1), emb)
        h = self.middle(self.pool2(h2), emb)
        h = F.interpolate(h, scale_factor=2, mode="nearest")
        h = self.up2(torch.cat([h, h2], dim=1), emb)
        h = F.interpolate(h, scale_factor=2, mode="nearest")
        h = self.up1(torch.cat([h, h1], dim=1), emb)
        return self.head(h)


def train(model: UNet, ema: UNet, images: torch.Tensor, *, epochs: int, seed: int) -> None:
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    steps = epochs * (len(images) // BATCH)
    # Cosine decay of the learning rate to zero: the last steps settle the weights.
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=LEARNING_RATE, total_steps=max(steps, 1), pct_start=0.05
    )
    shuffle = torch.Generator().manual_seed(seed)
    step = 0
    for epoch in range(epochs):
        started, losses = time.perf_counter(), []
        order = torch.randperm(len(images), generator=shuffle).to(images.device)
        for start in range(0, len(images) - BATCH + 1, BATCH):
            x0 = images[order[start : start + BATCH]]
            t = torch.randint(1, T + 1, (len(x0),), device=x0.device)
            a = cosine_alpha_bar(t.float())[:, None, None, None]
            eps = torch.randn_like(x0)
            loss = F.mse_loss(model(a.sqrt() * x0 + (1 - a).sqrt() * eps, t), eps)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            step += 1
            # The EMA starts fast and slows to EMA_DECAY: early weights are soon forgotten.
            decay = min(EMA_DECAY, (1 + step) / (10 + step))
            with torch.no_grad():
                for p_ema, p in zip(ema.parameters(), model.parameters(), strict=True):
                    p_ema.lerp_(p, 1 - decay)
            losses.append(loss.item())
            if step % 100 == 0:
                # A progress line: the submission's page shows it as progress and curves.
                line = {"progress": step / steps, "step": step, "loss": float(np.mean(losses))}
                print(json.dumps(line), flush=True)
        print(
            f"epoch {epoch + 1}/{epochs}: loss {np.mean(losses):.4f}, "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )


@torch.no_grad()
def ddim_sample(model: UNet, n: int, steps: int, device: torch.device) -> torch.Tensor:
    """``n`` images in [-1, 1] by DDIM with eta = 0: at each of ``steps`` evenly spaced
    steps, predict the noise, hence the clean image, and move to the next step's noise
    level along that prediction."""
    model.eval()
    times = torch.linspace(T, 0, steps + 1).round().long().tolist()
    x = torch.randn(n, 1, 28, 28, device=device)
    for t, t_next in itertools.pairwise(times):
        a, a_next = (
            cosine_alpha_bar(torch.tensor(float(t))),
            cosine_alpha_bar(torch.tensor(float(t_next))),
        )
        eps = model(x, torch.full((n,), t, device=device))
        x0 = ((x - (1 - a).sqrt() * eps) / a.sqrt()).clamp(-1, 1)
        x = a_next.sqrt() * x0 + (1 - a_next).sqrt() * eps if t_next > 0 else x0
    return x


def sample(model: UNet, n: int, steps: int, device: torch.device) -> np.ndarray:
    """``n`` images as uint8 [n, 28, 28]: [-1, 1] mapped to [0, 255]."""
    chunks = [
        ddim_sample(model, min(SAMPLE_BATCH, n - i), steps, device)
        for i in range(0, n, SAMPLE_BATCH)
    ]
    images = (torch.cat(chunks).squeeze(1) + 1.0) * 127.5
    return images.round().clamp(0, 255).to(torch.uint8).cpu().numpy()


def main() -> None:
    data, output = (Path(sys.argv[1]), Path(sys.argv[2])) if len(sys.argv) == 3 else (DATA, OUTPUT)
    budget = read_budget()
    seed = int(os.environ.get("MILESTONES_SEED", SEED))
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    images = read_idx(data / "train-images-idx3-ubyte")[: int(budget.get("train_limit", 60_000))]
    epochs = int(budget.get("epochs", EPOCHS))
    steps = int(budget.get("sampling_steps", SAMPLING_STEPS))
    print(f"{len(images)} training images, {epochs} epochs on {device}, seed {seed}", flush=True)
    x = torch.from_numpy(images.astype(np.float32) / 127.5 - 1.0).unsqueeze(1).to(device)
    model = UNet().to(device)
    ema = copy.deepcopy(model).requires_grad_(False)
    started = time.perf_counter()
    with stop_at_the_warning():
        train(model, ema, x, epochs=epochs, seed=seed)
    print(f"trained in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    samples = sample(ema, N_SAMPLES, steps, device)
    output.mkdir(parents=True, exist_ok=True)
    np.save(output / "samples.npy", samples)
    print(
        f"wrote {len(samples)} samples ({steps} DDIM steps) in "
        f"{time.perf_counter() - started:.1f} s, shape {samples.shape}, dtype {samples.dtype}",
        flush=True,
    )


if __name__ == "__main__":
    main()
