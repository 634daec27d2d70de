"""The ways a student might embed hidden data in an upload, as functions from
the hidden bytes to upload files: the contamination scan's corpus. Each returns
``(upload name, upload bytes)``; zips hold a ``main.py`` so they are valid uploads."""

from __future__ import annotations

import base64
import bz2
import gzip
import io
import lzma
import zipfile
import zlib
from collections.abc import Callable

import numpy as np

Embed = Callable[[bytes], tuple[str, bytes]]
MAIN = b"import json\nprint('an honest-looking program')\n"


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _in_source(payload: bytes) -> tuple[str, bytes]:
    return "main.py", MAIN + b"SECRET = " + repr(payload).encode() + b"\n"


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


# Forms of any bytes (hidden text, raw label bytes, images).
BYTES_FORMS: dict[str, Embed] = {
    "a string in main.py": _in_source,
    "a file in the zip": lambda d: ("s.zip", _zip({"main.py": MAIN, "data/notes.bin": d})),
    "gzip in the zip": lambda d: ("s.zip", _zip({"main.py": MAIN, "n.gz": gzip.compress(d)})),
    "zlib in main.py": lambda d: _in_source(zlib.compress(d, 9)),
    "bz2 in the zip": lambda d: ("s.zip", _zip({"main.py": MAIN, "n.bz2": bz2.compress(d)})),
    "xz in the zip": lambda d: ("s.zip", _zip({"main.py": MAIN, "n.xz": lzma.compress(d)})),
    "lzma-alone in the zip": lambda d: (
        "s.zip",
        _zip({"main.py": MAIN, "n.lzma": lzma.compress(d, format=lzma.FORMAT_ALONE)}),
    ),
    "base64 in main.py": lambda d: ("main.py", MAIN + b"B = '" + base64.b64encode(d) + b"'\n"),
    "base64 of gzip in main.py": lambda d: (
        "main.py",
        MAIN + b"B = '" + base64.b64encode(gzip.compress(d)) + b"'\n",
    ),
    "wrapped base64 in the zip": lambda d: (
        "s.zip",
        _zip({"main.py": MAIN, "n.txt": base64.encodebytes(d)}),
    ),
    "a zip in the zip": lambda d: (
        "s.zip",
        _zip({"main.py": MAIN, "inner.zip": _zip({"x.bin": d})}),
    ),
}


def label_forms(labels: np.ndarray) -> dict[str, tuple[str, bytes]]:
    """Hidden labels (small whole numbers, in id order) written as a student would."""
    digits = "".join(str(int(v)) for v in labels).encode()
    listed = ("LABELS = [" + ", ".join(str(int(v)) for v in labels) + "]\n").encode()
    return {
        "digits in a string": ("main.py", MAIN + b"L = '" + digits + b"'\n"),
        "a Python list": ("main.py", MAIN + listed),
        "uint8 bytes in the zip": (
            "s.zip",
            _zip({"main.py": MAIN, "l.bin": labels.astype(np.uint8).tobytes()}),
        ),
        "int32 .npy in the zip": (
            "s.zip",
            _zip({"main.py": MAIN, "l.npy": _npy(labels.astype(np.int32))}),
        ),
        "int64 .npz in the zip": (
            "s.zip",
            _zip({"main.py": MAIN, "l.npz": _npz(labels.astype(np.int64))}),
        ),
        "base64 of int16 in main.py": (
            "main.py",
            MAIN + b"B = '" + base64.b64encode(labels.astype("<i2").tobytes()) + b"'\n",
        ),
        "a CSV in the zip": (
            "s.zip",
            _zip(
                {
                    "main.py": MAIN,
                    "labels.csv": b"id,label\n"
                    + b"".join(f"{i},{int(v)}\n".encode() for i, v in enumerate(labels)),
                }
            ),
        ),
    }


def _npz(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, labels=array)
    return buffer.getvalue()
