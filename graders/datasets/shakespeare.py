"""Tiny Shakespeare (Karpathy's char-rnn corpus): one text file, checked on read."""

from __future__ import annotations

from pathlib import Path

from graders.datasets.raw import DatasetChecksumError, RawFile, read_content

__all__ = ["FILE", "FOLDER", "DatasetChecksumError", "text"]

FOLDER = "tinyshakespeare"
FILE = RawFile(
    FOLDER,
    "input.txt",
    "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
    1115394,
)


def text(datasets_dir: Path) -> str:
    """The whole corpus, verified (``FileNotFoundError`` if absent)."""
    return read_content(FILE.path(datasets_dir), FILE).decode("utf-8")
