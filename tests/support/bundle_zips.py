"""Uploaded bundle zips for the tests: the XOR bundle under a slug of its own,
with files replaced or removed."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.support.paths import REPO

XOR = REPO / "challenges" / "1986-xor-backprop"
SLUG = "1986-xor-uploaded"


def bundle_files(**changes: bytes | None) -> dict[str, bytes]:
    """The XOR bundle's files under a new slug; ``changes`` replace (or, with
    None, remove) files by their path in the zip."""
    files = {
        str(path.relative_to(XOR)): path.read_bytes()
        for path in sorted(XOR.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
    toml = files["challenge.toml"].decode().replace("1986-xor-backprop", SLUG)
    files["challenge.toml"] = toml.encode()
    for name, content in changes.items():
        name = name.replace("__", "/")
        if content is None:
            files.pop(name, None)
        else:
            files[name] = content
    return files


def zip_upload(files: dict[str, bytes], *, folder: str = "") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(
                f"{folder}{name}" if not name.startswith(("/", "..")) else name, content
            )
    return SimpleUploadedFile("bundle.zip", buffer.getvalue())
