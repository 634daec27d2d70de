from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from server.submissions.uploads import UploadRejected, UploadRules, check_upload
from tests.support.bad_zips import BAD_ZIPS

RULES = UploadRules(entrypoint="main.py", max_bytes=10_000, max_unpacked_bytes=50_000, max_files=5)


def _zip(entries: dict[str, bytes]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return SimpleUploadedFile("code.zip", buffer.getvalue())


def test_plain_main_py_is_accepted():
    check_upload(SimpleUploadedFile("main.py", b"print(1)\n"), rules=RULES)


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (SimpleUploadedFile("main.py", b""), "empty"),
        (SimpleUploadedFile("main.py", b"x" * 10_001), "limit is 10,000"),
        (SimpleUploadedFile("model.pkl", b"data"), "Upload main.py"),
        (SimpleUploadedFile("main.py", b"\xff\xfe\x00bad"), "not UTF-8"),
        (SimpleUploadedFile("code.zip", b"not a zip at all"), "damaged"),
    ],
)
def test_bad_uploads_are_refused_with_a_reason(upload, reason):
    with pytest.raises(UploadRejected, match=reason):
        check_upload(upload, rules=RULES)


def test_zip_without_main_at_root_is_refused():
    with pytest.raises(UploadRejected, match=r"no main\.py at its root"):
        check_upload(_zip({"src/main.py": b"print(1)"}), rules=RULES)


def test_zip_with_parent_path_is_refused():
    with pytest.raises(UploadRejected, match="unsafe path"):
        check_upload(_zip({"main.py": b"", "../evil.py": b"x"}), rules=RULES)


def test_zip_bomb_is_refused_by_declared_size():
    with pytest.raises(UploadRejected, match="unpacks to"):
        check_upload(_zip({"main.py": b"", "big.bin": b"\0" * 60_000}), rules=RULES)


def test_zip_with_too_many_files_is_refused():
    entries = {f"f{i}.py": b"" for i in range(6)}
    with pytest.raises(UploadRejected, match="entries"):
        check_upload(_zip({"main.py": b"", **entries}), rules=RULES)


@pytest.mark.parametrize("kind", list(BAD_ZIPS))
def test_a_zip_that_cannot_be_unpacked_is_refused_at_upload_in_one_line(kind: str):
    make, words = BAD_ZIPS[kind]
    upload = SimpleUploadedFile("code.zip", make([("main.py", b"print(1)\n")]))
    with pytest.raises(UploadRejected, match=words) as refused:
        check_upload(upload, rules=RULES)
    assert "\n" not in str(refused.value)


def test_a_syntax_error_is_refused_with_the_compilers_words():
    upload = SimpleUploadedFile("main.py", b"import numpy\nfor i in range(3)\n    print(i)\n")
    with pytest.raises(UploadRejected, match=r"main.py line 2: expected ':'.*Nothing was queued"):
        check_upload(upload, rules=RULES)


def test_every_python_file_of_a_zip_is_compiled():
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("main.py", "import helper\n")
        archive.writestr("pkg/helper.py", "def f(:\n    pass\n")
    upload = SimpleUploadedFile("code.zip", zipped.getvalue())
    with pytest.raises(UploadRejected, match=r"pkg/helper.py line 1: invalid syntax"):
        check_upload(upload, rules=RULES)
