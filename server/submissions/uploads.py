"""Checking an upload before it is stored: a main.py, or a zip with it at the root.

The worker checks again while extracting (declared sizes can lie); this check
gives the student a clear reason at once instead of a failed run later."""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.uploadedfile import UploadedFile


class UploadRejected(Exception):
    """The upload is unusable; ``str(exc)`` is the reason shown to the student."""


@dataclass(frozen=True)
class UploadRules:
    entrypoint: str
    max_bytes: int
    max_unpacked_bytes: int
    max_files: int


def check_upload(upload: UploadedFile, *, rules: UploadRules) -> None:
    name = (upload.name or "").lower()
    if upload.size is None or upload.size == 0:
        raise UploadRejected("The file is empty.")
    if upload.size > rules.max_bytes:
        raise UploadRejected(
            f"The file is {upload.size:,} bytes; the limit is {rules.max_bytes:,}."
        )
    if name.endswith(".py"):
        _check_python(upload)
    elif name.endswith(".zip"):
        _check_zip(upload, rules)
    else:
        raise UploadRejected(f"Upload {rules.entrypoint} or a .zip with it at the root.")
    upload.seek(0)


def _check_python(upload: UploadedFile) -> None:
    upload.seek(0)
    try:
        upload.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UploadRejected("The .py file is not UTF-8 text.") from exc


def _check_zip(upload: UploadedFile, rules: UploadRules) -> None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UploadRejected("The .zip file is damaged or not a zip archive.") from exc
    if len(members) > rules.max_files:
        raise UploadRejected(
            f"The zip holds {len(members)} entries; the limit is {rules.max_files}."
        )
    for member in members:
        _check_member(member)
    declared = sum(member.file_size for member in members)
    if declared > rules.max_unpacked_bytes:
        raise UploadRejected(
            f"The zip unpacks to {declared:,} bytes; the limit is {rules.max_unpacked_bytes:,}."
        )
    if not any(m.filename == rules.entrypoint for m in members):
        raise UploadRejected(f"The zip has no {rules.entrypoint} at its root.")


def _check_member(member: zipfile.ZipInfo) -> None:
    path = PurePosixPath(member.filename)
    if member.filename.startswith("/") or "\\" in member.filename or ".." in path.parts:
        raise UploadRejected(f"The zip holds an unsafe path: {member.filename[:60]!r}.")
    kind = stat.S_IFMT(member.external_attr >> 16)
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        raise UploadRejected(f"The zip holds a link or special file: {member.filename[:60]!r}.")
    if member.flag_bits & 0x1:
        raise UploadRejected("The zip is encrypted.")
