"""Submissions' code for the worker's tests: the XOR reference, and a trivial
valid answer that can take its time."""

from __future__ import annotations

from tests.support.paths import REPO


def reference_code() -> bytes:
    return (REPO / "challenges" / "1986-xor-backprop" / "reference" / "main.py").read_bytes()


def trivial_code(*, sleep: float = 0.0, extra: str = "") -> bytes:
    """A valid XOR answer in pure Python (no numpy import: fast), after ``sleep``."""
    return f"""import pathlib, time
{extra}
time.sleep({sleep})
rows = pathlib.Path("/data/test.csv").read_text().splitlines()[1:]
out = ["id,label"]
for row in rows:
    i, x1, x2 = row.split(",")
    out.append(f"{{i}},{{int(float(x1) * float(x2) < 0)}}")
pathlib.Path("/output/predictions.csv").write_text("\\n".join(out) + "\\n")
""".encode()
