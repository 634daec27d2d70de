"""Play the grader's part on your own machine: run your program, speak the
interactive protocol with it over stdin/stdout, and report bits per character.

    python local_eval.py [--program main.py] [--data data] [--streams 256] [--steps 16]

The grader's text is hidden, so this holds out the last 10% of ``train.txt``
instead: it writes a copy of the data without that part (your program trains
on the rest), then asks about the held-out text exactly as the grader asks
about the hidden one (independent streams, 256 characters of context each, one
query per step). Your program's stderr is shown as it runs.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONTEXT = 256


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--program", type=Path, default=Path("main.py"))
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--streams", type=int, default=256)
    parser.add_argument("--steps", type=int, default=16)
    args = parser.parse_args()
    vocab = json.loads((args.data / "vocab.json").read_text(encoding="utf-8"))
    text = (args.data / "train.txt").read_text(encoding="utf-8")
    cut = int(len(text) * 0.9)
    with tempfile.TemporaryDirectory() as folder:
        train_dir = Path(folder)
        (train_dir / "train.txt").write_text(text[:cut], encoding="utf-8", newline="")
        shutil.copy(args.data / "vocab.json", train_dir / "vocab.json")
        held_out = [vocab.index(c) for c in text[cut:]]
        bits = evaluate(args.program, train_dir, held_out, args.streams, args.steps)
    print(f"{bits:.4f} bits per character on {args.streams * args.steps} held-out positions")


def evaluate(program: Path, data: Path, tokens: list[int], streams: int, steps: int) -> float:
    stride = len(tokens) // streams
    if stride < CONTEXT + steps:
        raise SystemExit("too many streams or steps for the held-out text")
    starts = [s * stride + CONTEXT for s in range(streams)]
    process = subprocess.Popen(
        [sys.executable, str(program), str(data)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    started = time.monotonic()
    ready = process.stdout.readline()
    if json.loads(ready or "null") != {"ready": True}:
        raise SystemExit(f'the first line on stdout must be {{"ready": true}}, got {ready!r}')
    print(f"ready after {time.monotonic() - started:.1f} s", file=sys.stderr)
    total, started = 0.0, time.monotonic()
    for step in range(steps):
        contexts = [tokens[a + step - CONTEXT : a + step] for a in starts]
        process.stdin.write(json.dumps({"query": step, "contexts": contexts}) + "\n")
        process.stdin.flush()
        answer = json.loads(process.stdout.readline())
        assert answer["query"] == step, f"answer to query {step} carries {answer['query']}"
        for a, row in zip(starts, answer["logprobs"], strict=True):
            assert abs(sum(math.exp(x) for x in row) - 1) <= 1e-3, "probabilities must sum to 1"
            total -= row[tokens[a + step]] / math.log(2)
    print(f"{steps} queries answered in {time.monotonic() - started:.1f} s", file=sys.stderr)
    process.stdin.close()
    process.wait(timeout=30)
    return total / (streams * steps)


if __name__ == "__main__":
    main()
