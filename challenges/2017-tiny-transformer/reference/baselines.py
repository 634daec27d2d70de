"""Measure the baselines of challenge.toml on this challenge's own evaluation.

    PYTHONPATH=. python challenges/2017-tiny-transformer/reference/baselines.py \
        [--datasets ../shared/datasets] [--lstm-seconds 600] [--device cpu]

(with ``--lstm-seconds``, a python that has torch: ``var/runtimes/torch/bin/python``).

Prepares the data into a temporary folder (as the server does), then scores,
through the grader's own environment (``graders.interactive.char_lm``: the same
4096 positions, the same public and private streams):
1. uniform: every character 1/65;
2. unigram: character counts of train.txt (plus one, so none is impossible);
3. bigram: counts of each character after the previous one (plus one);
4. with ``--lstm-seconds``: a character-level LSTM (one layer of 512, as in
   Karpathy's char-rnn experiments) trained on train.txt for that long (torch).
Prints bits per character on the public and private streams and on both.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from graders.interactive import InteractiveSpec
from graders.interactive.environment import Environment

BUNDLE = Path(__file__).resolve().parents[1]
Predict = Callable[[list[list[int]]], np.ndarray]  # contexts -> (n, 65) log-probabilities


def load_prepare():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("tiny_transformer_prepare", BUNDLE / "prepare.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def open_environment(hidden_dir: Path) -> Environment:
    import tomllib

    table = tomllib.loads((BUNDLE / "challenge.toml").read_text())["grading"]
    options = {key: value for key, value in table.items() if key != "kind"}
    return InteractiveSpec.from_dict(options).open(hidden_dir=hidden_dir)


def score(predict: Predict, hidden_dir: Path) -> tuple[float, float, float]:
    """(public, private, all) bits per character of ``predict`` on the graded positions."""
    environment = open_environment(hidden_dir)
    while (query := environment.next_query()) is not None:
        environment.take_answer({"logprobs": predict(query["contexts"]).tolist()})
    scores = environment.scores()
    both = (scores.public * scores.n_public + scores.private * scores.n_private) / (
        scores.n_public + scores.n_private
    )
    return scores.public, scores.private, both


def counts_models(tokens: np.ndarray, size: int) -> dict[str, Predict]:
    unigram = np.bincount(tokens, minlength=size) + 1.0
    unigram_logp = np.log(unigram / unigram.sum())
    pairs = np.zeros((size, size))
    np.add.at(pairs, (tokens[:-1], tokens[1:]), 1.0)
    pairs += 1.0
    bigram_logp = np.log(pairs / pairs.sum(axis=1, keepdims=True))
    return {
        "uniform": lambda contexts: np.full((len(contexts), size), -math.log(size)),
        "unigram": lambda contexts: np.tile(unigram_logp, (len(contexts), 1)),
        "bigram": lambda contexts: bigram_logp[[context[-1] for context in contexts]],
    }


def lstm_model(tokens: np.ndarray, size: int, *, seconds: float, device: str) -> Predict:
    import torch
    from torch import nn
    from torch.nn import functional as F

    torch.manual_seed(0)
    torch.set_num_threads(1)  # "one CPU core", as the table says and the sandbox grants

    class CharLSTM(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(size, 64)
            self.lstm = nn.LSTM(64, 512, batch_first=True)
            self.head = nn.Linear(512, size)

        def forward(self, idx: torch.Tensor) -> torch.Tensor:
            return self.head(self.lstm(self.embed(idx))[0])

    model = CharLSTM().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    data = torch.from_numpy(tokens)
    started, step = time.monotonic(), 0
    while time.monotonic() - started < seconds:
        starts = torch.randint(len(data) - 129, (32,))
        window = torch.stack([data[s : s + 129] for s in starts.tolist()]).to(device)
        loss = F.cross_entropy(model(window[:, :-1]).flatten(0, 1), window[:, 1:].flatten())
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        step += 1
    print(f"LSTM: {step} steps of 32 x 128 characters in {seconds:.0f} s on {device}")
    model.eval()

    @torch.no_grad()
    def predict(contexts: list[list[int]]) -> np.ndarray:
        idx = torch.tensor(contexts, device=device)
        return F.log_softmax(model(idx)[:, -1], dim=-1).double().cpu().numpy()

    return predict


def measure(
    datasets: Path, *, lstm_seconds: float = 0.0, device: str = "cpu"
) -> dict[str, tuple[float, float, float]]:
    """(public, private, all) bits per character of each model, rounded as listed."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        load_prepare().prepare(
            public_dir=root / "public", hidden_dir=root / "hidden", datasets_dir=datasets
        )
        vocab = json.loads((root / "public" / "vocab.json").read_text())
        index = {c: i for i, c in enumerate(vocab)}
        text = (root / "public" / "train.txt").read_text(encoding="utf-8")
        tokens = np.array([index[c] for c in text], dtype=np.int64)
        models = counts_models(tokens, len(vocab))
        if lstm_seconds:
            models["lstm"] = lstm_model(tokens, len(vocab), seconds=lstm_seconds, device=device)
        scores = {name: score(predict, root / "hidden") for name, predict in models.items()}
    return {name: tuple(round(v, 4) for v in values) for name, values in scores.items()}  # type: ignore[misc]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=Path("../shared/datasets"))
    parser.add_argument("--lstm-seconds", type=float, default=0.0)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    measured = measure(args.datasets, lstm_seconds=args.lstm_seconds, device=args.device)
    print(f"{'model':<10} {'public':>8} {'private':>8} {'all':>8}   (bits per character)")
    for name, (public, private, both) in measured.items():
        print(f"{name:<10} {public:8.4f} {private:8.4f} {both:8.4f}")


if __name__ == "__main__":
    main()
