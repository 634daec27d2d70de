"""Strict readers of files written by untrusted, sandboxed programs."""

from __future__ import annotations

from graders.readers.csv_table import read_label_csv, read_value_csv
from graders.readers.untrusted import read_untrusted_text

__all__ = ["read_label_csv", "read_untrusted_text", "read_value_csv"]
