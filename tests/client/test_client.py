"""``Client``: the requests it sends and what it makes of the answers."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from milestones_client import ApiError
from milestones_client.client import upload_of

from tests.client.fake_api import FakeApi, dry_run, submission

SUBMIT = ("POST", "/api/challenges/1986-xor-backprop/submissions/")


def test_every_request_carries_the_token():
    api = FakeApi({("GET", "/api/me/"): (200, {"username": "ada"})})
    assert api.client("mst_abc").me() == {"username": "ada"}
    assert api.requests[0].headers["Authorization"] == "Token mst_abc"


def test_a_refusal_is_an_api_error_with_the_servers_reason():
    api = FakeApi({SUBMIT: (409, {"detail": "You have used your 20 submissions."})})
    with pytest.raises(ApiError) as refused:
        api.client().submit("1986-xor-backprop", Path(__file__))
    assert refused.value.status == 409
    assert str(refused.value) == "You have used your 20 submissions."


def test_a_forms_errors_are_read_as_one_sentence():
    api = FakeApi({SUBMIT: (400, {"code": ["No file was submitted."]})})
    with pytest.raises(ApiError, match=r"^code: No file was submitted\.$"):
        api.client().submit("1986-xor-backprop", Path(__file__))


def test_a_python_file_is_uploaded_as_it_is(tmp_path: Path):
    (tmp_path / "main.py").write_text("print(1)\n")
    assert upload_of(tmp_path / "main.py") == ("main.py", b"print(1)\n")


def test_a_folder_is_uploaded_as_a_zip_of_its_files_without_caches(tmp_path: Path):
    folder = tmp_path / "solution"
    (folder / "lib" / "__pycache__").mkdir(parents=True)
    (folder / "main.py").write_text("import lib.net\n")
    (folder / "lib" / "net.py").write_text("W = 1\n")
    (folder / "lib" / "__pycache__" / "net.cpython-311.pyc").write_bytes(b"\0")
    name, content = upload_of(folder)
    assert name == "solution.zip"
    assert sorted(zipfile.ZipFile(io.BytesIO(content)).namelist()) == ["lib/net.py", "main.py"]


def test_submit_sends_the_file_as_code(tmp_path: Path):
    (tmp_path / "main.py").write_text("print(1)\n")
    api = FakeApi({SUBMIT: (201, submission("pending"))})
    assert api.client().submit("1986-xor-backprop", tmp_path / "main.py")["id"] == 7
    body = api.requests[0].content
    assert b'name="code"; filename="main.py"' in body and b"print(1)" in body


def test_wait_reads_the_submission_until_it_is_final():
    states = iter(["queued", "running", "scored"])
    api = FakeApi({("GET", "/api/submissions/7/"): lambda _: (200, submission(next(states)))})
    seen: list[str] = []
    final = api.client().wait(7, every=0, on_update=lambda s: seen.append(s["state"]))
    assert seen == ["queued", "running", "scored"] and final["state"] == "scored"


@pytest.mark.parametrize("end", ["passed", "failed", "lost"])
def test_a_dry_run_is_watched_until_it_ends(end: str):
    states = iter(["queued", "running", end])
    api = FakeApi({("GET", "/api/dry-runs/3/"): lambda _: (200, dry_run(next(states)))})
    seen = [d["state"] for d in api.client().watch_dry_run(3, every=0)]
    assert seen == ["queued", "running", end]


def test_follow_reads_the_log_once_the_run_has_started():
    states = iter(["queued", "failed"])
    api = FakeApi(
        {
            ("GET", "/api/submissions/7/"): lambda _: (200, submission(next(states))),
            ("GET", "/api/submissions/7/log/"): (200, {"text": "Traceback", "lines": 1}),
        }
    )
    logs = [answer["log"] for answer in api.client().follow(7, every=0, tail=5)]
    assert logs == ["", "Traceback"]
    assert api.requests[-1].url.params["tail"] == "5"


def test_submissions_follows_every_page():
    api = FakeApi(
        {
            ("GET", "/api/submissions/"): lambda request: (
                (200, {"results": [submission("scored", id=2)], "next": None})
                if request.url.params.get("page") == "2"
                else (
                    200,
                    {
                        "results": [submission("scored", id=1)],
                        "next": "http://site.test/api/submissions/?page=2",
                    },
                )
            )
        }
    )
    assert [s["id"] for s in api.client().submissions()] == [1, 2]


def test_download_saves_the_zip(tmp_path: Path):
    api = FakeApi({("GET", "/api/challenges/1986-xor-backprop/data/"): (200, b"PK zip")})
    saved = api.client().download("1986-xor-backprop", "data", tmp_path)
    assert saved == tmp_path / "1986-xor-backprop-data.zip"
    assert saved.read_bytes() == b"PK zip"


def test_a_missing_download_is_an_api_error(tmp_path: Path):
    with pytest.raises(ApiError, match="No such endpoint"):
        FakeApi({}).client().download("nothing", "data", tmp_path)
    assert list(tmp_path.iterdir()) == []
