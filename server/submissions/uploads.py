"""Checking an upload before it is stored: a main.py, or a zip with it at the root;
every .py compiled (a syntax error answers at once, uncharged).

The worker checks again while extracting (declared sizes can lie); this check
gives the student a clear reason at once instead of a failed run later."""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile

from graders.readers.zips import archive_problem, member_problem

_CHUNK = 1 << 20
COMPILED_BYTES = 1 << 20  # larger .py files are not compiled at upload


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
    check_syntax(upload.name or "main.py", upload.read())


def check_syntax(name: str, source: bytes) -> None:
    """Compile (never run) a Python file: a syntax error is refused at once, with
    the compiler's own words, before the submission is queued or charged."""
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UploadRejected(f"{name} is not UTF-8 text.") from exc
    if len(source) > COMPILED_BYTES:
        return  # left to the run: compiling a huge file here would hold up the page
    try:
        compile(text, name, "exec", dont_inherit=True)
    except SyntaxError as exc:
        where = f"{name} line {exc.lineno}" if exc.lineno else name
        shown = (exc.text or "").strip()[:120]
        raise UploadRejected(
            f"{where}: {exc.msg}" + (f": {shown}" if shown else "") + ". Nothing was queued."
        ) from exc
    except (ValueError, RecursionError, MemoryError) as exc:
        raise UploadRejected(f"{name} cannot be compiled ({exc}). Nothing was queued.") from exc


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
        problem = member_problem(member)
        if problem is not None:
            raise UploadRejected(problem.sentence())
    clash = archive_problem(members)
    if clash is not None:
        raise UploadRejected(clash.sentence())
    declared = sum(member.file_size for member in members)
    if declared > rules.max_unpacked_bytes:
        raise UploadRejected(
            f"The zip unpacks to {declared:,} bytes; the limit is {rules.max_unpacked_bytes:,}."
        )
    if not any(m.filename == rules.entrypoint for m in members):
        raise UploadRejected(f"The zip has no {rules.entrypoint} at its root.")
    _read_through(upload, rules.max_unpacked_bytes)


def _read_through(upload: UploadedFile, max_bytes: int) -> None:
    """Unpack every member to nowhere, counting what comes out (declared sizes can
    lie): a damaged member (its CRC, its compression) is refused now, with its name,
    not found later by the worker."""
    upload.seek(0)
    left = max_bytes
    with zipfile.ZipFile(upload) as archive:
        for member in archive.infolist():
            source = bytearray()
            try:
                with archive.open(member) as stream:
                    while chunk := stream.read(_CHUNK):
                        left -= len(chunk)
                        if left < 0:
                            raise UploadRejected(
                                f"The zip unpacks to more than {max_bytes:,} bytes."
                            )
                        if member.filename.endswith(".py") and len(source) <= COMPILED_BYTES:
                            source += chunk
            except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError) as exc:
                raise UploadRejected(
                    f"The zip's entry {member.filename[:80]!r} is damaged ({exc})."
                ) from exc
            if member.filename.endswith(".py"):
                check_syntax(member.filename[:80], bytes(source))
