"""Zips that cannot be unpacked, as a careless or hostile student or instructor
might upload them: a damaged member, a name too long for any file system, a name
that is both a file and a folder, a name given twice."""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Callable


def _zip(entries: list[tuple[str, bytes]], compression: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with (
        warnings.catch_warnings(),
        zipfile.ZipFile(buffer, "w", compression=compression) as archive,
    ):
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": the point of one
        for name, content in entries:
            archive.writestr(name, content)
    return buffer.getvalue()


def bad_crc(extra: list[tuple[str, bytes]] | None = None) -> bytes:
    """data.bin's bytes altered after its CRC was written."""
    data = bytearray(_zip([*(extra or []), ("data.bin", b"intact payload " * 20)]))
    at = bytes(data).index(b"intact payload")
    data[at] ^= 0xFF
    return bytes(data)


def long_name(extra: list[tuple[str, bytes]] | None = None) -> bytes:
    return _zip([*(extra or []), ("n" * 300 + ".py", b"x = 1\n")])


def file_and_folder(extra: list[tuple[str, bytes]] | None = None) -> bytes:
    return _zip([*(extra or []), ("lib", b"a file"), ("lib/util.py", b"x = 1\n")])


def twice(extra: list[tuple[str, bytes]] | None = None) -> bytes:
    return _zip([*(extra or []), ("util.py", b"x = 1\n"), ("util.py", b"x = 2\n")])


BAD_ZIPS: dict[str, tuple[Callable[..., bytes], str]] = {
    "a damaged member": (bad_crc, "damaged"),
    "an over-long name": (long_name, "name too long"),
    "a file that is also a folder": (file_and_folder, "file that is also a folder"),
    "a name given twice": (twice, "name given twice"),
}
