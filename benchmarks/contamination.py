"""What the contamination scan costs an upload of the size limit (5 MB).

    .venv/bin/python benchmarks/contamination.py            # 15 runs of each case
    .venv/bin/python benchmarks/contamination.py -n 30

Fingerprints are built from the real hidden data where the raw datasets are
installed (the tiny transformer's hidden text, LeNet's MNIST test labels), else
from generated stand-ins of the same size. Each case scans one 5 MB upload with
the scan the worker runs before every run (graders.contamination.scan); the
baseline, measured in the same run, is a sha256 of the same bytes: one plain
pass over the upload. Prints median and p95 per case and the ratio to the
baseline. The goal: under 200 ms for a 5 MB upload.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import os
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graders.contamination import Fingerprints, build_fingerprints, scan  # noqa: E402
from graders.splits import write_hidden_labels  # noqa: E402

SIZE = 5 * 1000 * 1000
DATASETS = Path(os.environ.get("MILESTONES_DATASETS_DIR", REPO.parent / "shared" / "datasets"))


def text_fingerprints(folder: Path) -> tuple[Fingerprints, str]:
    source = DATASETS / "tinyshakespeare" / "input.txt"
    if source.is_file():
        text, origin = source.read_text(encoding="utf-8"), "Tiny Shakespeare's last 10%"
        text = text[int(len(text) * 0.9) :]
    else:
        words = np.random.default_rng(1).choice(["thou", "art", "my", "lord", "night"], 22_000)
        text, origin = " ".join(words), "generated text"
    (folder / "text.txt").write_text(text, encoding="utf-8")
    return build_fingerprints(folder), f"{origin}, {len(text):,} characters"


def label_fingerprints(folder: Path) -> tuple[Fingerprints, str]:
    from graders.datasets import mnist

    try:
        labels, origin = mnist.load(DATASETS, "test")[1], "MNIST test labels"
    except (OSError, ValueError):
        labels, origin = np.random.default_rng(2).integers(0, 10, 10_000), "generated labels"
    splits = ["public", "private"] * (len(labels) // 2)
    write_hidden_labels(
        folder / "labels.csv", ids=range(len(labels)), labels=list(labels), splits=splits
    )
    return build_fingerprints(folder), f"{origin}, {len(labels):,}"


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def uploads() -> dict[str, tuple[str, bytes]]:
    rng = np.random.default_rng(3)
    weights = rng.standard_normal(SIZE // 4).astype(np.float32).tobytes()
    source = b"import numpy\n" + b"".join(
        f"W{i} = [{', '.join(f'{v:.6f}' for v in rng.standard_normal(8))}]\n".encode()
        for i in range(SIZE // 100)
    )
    blob = base64.b64encode(rng.bytes(SIZE * 3 // 4))
    return {
        "zip: main.py + float32 weights": (
            "s.zip",
            zip_of({"main.py": b"pass\n", "w.bin": weights}),
        ),
        "main.py of numbers": ("main.py", source[:SIZE]),
        "main.py with a base64 literal": ("main.py", b"B = '" + blob + b"'\n"),
    }


def measure(action: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=15, help="runs per case")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        (Path(root) / "t").mkdir()
        (Path(root) / "l").mkdir()
        prints = {
            "text": text_fingerprints(Path(root) / "t"),
            "labels": label_fingerprints(Path(root) / "l"),
        }
    for kind, (_, origin) in prints.items():
        print(f"fingerprints ({kind}): {origin}")
    print(
        f"{'case':48} {'fingerprints':>12} {'median ms':>10} {'p95 ms':>8} {'sha256 ms':>10} {'ratio':>7}"
    )
    for case, (name, data) in uploads().items():
        baseline = statistics.median(
            measure(lambda data=data: hashlib.sha256(data).digest(), args.n)
        )
        for kind, (fingerprints, _) in prints.items():
            times = measure(lambda n=name, d=data, f=fingerprints: scan(n, d, f), args.n)
            median = statistics.median(times)
            label = f"{case} ({len(data) / 1e6:.1f} MB)"
            print(
                f"{label:48} {kind:>12} {median * 1e3:10.1f} {p95(times) * 1e3:8.1f} "
                f"{baseline * 1e3:10.1f} {median / baseline:6.1f}x"
            )


if __name__ == "__main__":
    main()
