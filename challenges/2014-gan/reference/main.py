"""Reference solution: a small DCGAN (Radford, Metz & Chintala, 2015) in PyTorch.

The generator maps 64 Gaussian numbers through a linear layer to 128 maps of
7x7, then two transposed convolutions (stride 2) up to one 28x28 image in
[-1, 1] (tanh). The discriminator mirrors it: two strided convolutions with
leaky ReLUs, then one linear logit. Batch normalisation in the generator and in
the discriminator's second layer, Adam with lr 2e-4 and beta1 0.5, as the DCGAN
paper recommends; the generator is trained on the non-saturating loss that
Goodfellow et al. (2014) suggest in place of the minimax one. Uses CUDA when it
is available.

    python main.py                      # reads /data, writes /output (the sandbox)
    python main.py DATA_DIR OUTPUT_DIR  # the same, anywhere else

A ``budget.json`` beside this file (``{"epochs": 1, "train_limit": 20000}``)
shrinks the run for tests; without it the run is the full one.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

DATA = Path("/data")
OUTPUT = Path("/output")
SEED = 2014
EPOCHS = 5
BATCH = 64
LATENT = 64
LEARNING_RATE = 2e-4
BETAS = (0.5, 0.999)
N_SAMPLES = 10_000


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


class Generator(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.project = nn.Sequential(
            nn.Linear(LATENT, 128 * 7 * 7, bias=False), nn.BatchNorm1d(128 * 7 * 7), nn.ReLU()
        )
        self.upsample = nn.Sequential(
            nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1, bias=False),  # -> 64 x 14 x 14
            nn.BatchNorm2d(64),
            nn.ReLU(),
            nn.ConvTranspose2d(64, 1, 4, stride=2, padding=1),  # -> 1 x 28 x 28
            nn.Tanh(),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.upsample(self.project(z).view(-1, 128, 7, 7))


class Discriminator(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 64, 4, stride=2, padding=1),  # -> 64 x 14 x 14; no BN on the input layer
            nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, 4, stride=2, padding=1, bias=False),  # -> 128 x 7 x 7
            nn.BatchNorm2d(128),
            nn.LeakyReLU(0.2),
        )
        self.logit = nn.Linear(128 * 7 * 7, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.logit(self.features(x).flatten(1)).squeeze(1)


def init_weights(module: nn.Module) -> None:
    """N(0, 0.02) weights, as in the DCGAN paper; batch-norm scales around 1."""
    if isinstance(module, nn.Conv2d | nn.ConvTranspose2d | nn.Linear):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm1d | nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def train_step(
    g: Generator,
    d: Discriminator,
    opt_g: torch.optim.Optimizer,
    opt_d: torch.optim.Optimizer,
    real: torch.Tensor,
) -> tuple[float, float]:
    """One round of the game: the discriminator learns to tell real from fake, then the
    generator learns to fool the discriminator it now faces."""
    z = torch.randn(len(real), LATENT, device=real.device)
    fake = g(z)
    ones = torch.ones(len(real), device=real.device)
    zeros = torch.zeros_like(ones)
    loss_real = F.binary_cross_entropy_with_logits(d(real), ones)
    loss_d = loss_real + F.binary_cross_entropy_with_logits(d(fake.detach()), zeros)
    opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    opt_d.step()
    # Non-saturating: maximise log D(G(z)) rather than minimise log(1 - D(G(z))), whose
    # gradient vanishes early on, when the discriminator rejects every fake with ease.
    loss_g = F.binary_cross_entropy_with_logits(d(fake), ones)
    opt_g.zero_grad(set_to_none=True)
    loss_g.backward()
    opt_g.step()
    return loss_d.item(), loss_g.item()


def train(g: Generator, d: Discriminator, images: torch.Tensor, *, epochs: int) -> None:
    opt_g = torch.optim.Adam(g.parameters(), lr=LEARNING_RATE, betas=BETAS)
    opt_d = torch.optim.Adam(d.parameters(), lr=LEARNING_RATE, betas=BETAS)
    shuffle = torch.Generator().manual_seed(SEED)
    for epoch in range(epochs):
        started, losses = time.perf_counter(), []
        order = torch.randperm(len(images), generator=shuffle).to(images.device)
        for start in range(0, len(images) - BATCH + 1, BATCH):  # full batches only, for BN
            losses.append(train_step(g, d, opt_g, opt_d, images[order[start : start + BATCH]]))
        loss_d, loss_g = np.mean(losses, axis=0)
        print(
            f"epoch {epoch + 1}/{epochs}: loss D {loss_d:.3f}, loss G {loss_g:.3f}, "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        # A progress line: the submission's page shows it as progress and curves.
        line = {"progress": (epoch + 1) / epochs, "step": epoch + 1, "loss_d": float(loss_d)}
        print(json.dumps({**line, "loss_g": float(loss_g)}), flush=True)


@torch.no_grad()
def sample(g: Generator, n: int, device: torch.device) -> np.ndarray:
    """``n`` images as uint8 [n, 28, 28]: tanh's [-1, 1] mapped to [0, 255]."""
    g.eval()  # batch norm uses its running statistics, so a sample does not depend on its batch
    chunks = [g(torch.randn(min(1000, n - i), LATENT, device=device)) for i in range(0, n, 1000)]
    images = (torch.cat(chunks).squeeze(1) + 1.0) * 127.5
    return images.round().clamp(0, 255).to(torch.uint8).cpu().numpy()


def main() -> None:
    data, output = (Path(sys.argv[1]), Path(sys.argv[2])) if len(sys.argv) == 3 else (DATA, OUTPUT)
    budget = read_budget()
    torch.manual_seed(SEED)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    images = read_idx(data / "train-images-idx3-ubyte")[: int(budget.get("train_limit", 60_000))]
    epochs = int(budget.get("epochs", EPOCHS))
    print(f"{len(images)} training images, {epochs} epochs on {device}", flush=True)
    x = torch.from_numpy(images.astype(np.float32) / 127.5 - 1.0).unsqueeze(1).to(device)
    g, d = Generator().to(device), Discriminator().to(device)
    g.apply(init_weights)
    d.apply(init_weights)
    train(g, d, x, epochs=epochs)
    samples = sample(g, N_SAMPLES, device)
    output.mkdir(parents=True, exist_ok=True)
    np.save(output / "samples.npy", samples)
    print(f"wrote {len(samples)} samples, shape {samples.shape}, dtype {samples.dtype}", flush=True)


if __name__ == "__main__":
    main()
