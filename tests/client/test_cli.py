"""The ``milestones`` command: its output and its exit codes, over a fake API."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from milestones_client import Client, cli, display
from rich.console import Console

from tests.client.fake_api import FakeApi, dry_run, submission

SUBMIT = ("POST", "/api/challenges/1986-xor-backprop/submissions/")
DRY_RUN = ("POST", "/api/challenges/1986-xor-backprop/dry-runs/")


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """serve(answers): the command talks to a FakeApi answering ``answers``."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.py").write_text("print(1)\n")

    def start(answers) -> FakeApi:  # type: ignore[no-untyped-def]
        api = FakeApi(answers)
        monkeypatch.setattr(Client, "from_config", classmethod(lambda cls: api.client()))
        return api

    return start


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_submit_and_wait_exits_zero_when_scored(serve, capsys):  # type: ignore[no-untyped-def]
    states = iter(["queued", "running", "scored"])
    serve(
        {
            SUBMIT: (201, submission("pending")),
            ("GET", "/api/submissions/7/"): lambda _: (200, submission(next(states))),
            ("GET", "/api/submissions/7/log/"): (200, {"text": "epoch 9", "lines": 1}),
        }
    )
    code, out, _ = run(capsys, "submit", "1986-xor-backprop", "main.py", "--wait", "--every", "0")
    assert code == 0
    assert "#7 queued" in out and "#7 running" in out
    assert "Scored: score 0.9700 (accuracy, public split; higher is better)" in out


def test_submit_and_wait_exits_one_with_the_reason_and_the_log(serve, capsys):  # type: ignore[no-untyped-def]
    failed = submission("failed", failure_reason="Your program crashed (exit code 1).")
    serve(
        {
            SUBMIT: (201, submission("pending")),
            ("GET", "/api/submissions/7/"): (200, failed),
            ("GET", "/api/submissions/7/log/"): (200, {"text": "ValueError: nan", "lines": 1}),
        }
    )
    code, out, _ = run(capsys, "submit", "1986-xor-backprop", "main.py", "--wait", "--every", "0")
    assert code == cli.DID_NOT_SCORE
    assert "Failed: Your program crashed (exit code 1)." in out
    assert "ValueError: nan" in out


def test_a_run_cut_short_by_the_warning_says_so():
    scored = submission(
        "scored",
        resources={
            "sandbox_status": "ok",
            "wall_seconds": 54.3,
            "cpu_seconds": 53.8,
            "peak_memory_bytes": 90 << 20,
            "warned_of": "wall",
        },
    )
    out = io.StringIO()
    display.result(Console(file=out, width=120), scored)
    assert (
        "Cut short: stopped by the warning (SIGTERM) before the wall-clock limit." in out.getvalue()
    )


def test_a_refusal_exits_two_with_the_servers_reason(serve, capsys):  # type: ignore[no-untyped-def]
    serve({SUBMIT: (409, {"detail": "Submissions are closed."})})
    code, _, err = run(capsys, "submit", "1986-xor-backprop", "main.py")
    assert code == cli.REFUSED and "Submissions are closed." in err


def test_a_dry_run_is_followed_and_exits_zero_with_the_sample_score_then_the_log(serve, capsys):  # type: ignore[no-untyped-def]
    passed = dry_run(
        "passed",
        sample_score=0.96,
        sample_items=64,
        wall_seconds=2.5,
        cpu_seconds=2.25,
        log="MILESTONES_DRY_RUN=1\nepoch 1: loss 0.4\n",
    )
    states = iter([dry_run("running", elapsed_seconds=1.0), passed])
    api = serve(
        {
            DRY_RUN: (201, dry_run("queued")),
            ("GET", "/api/dry-runs/3/"): lambda _: (200, next(states)),
        }
    )
    code, out, _ = run(capsys, "dry-run", "1986-xor-backprop", "main.py", "--every", "0")
    assert code == 0
    assert b'filename="main.py"' in api.requests[0].content
    assert out.index("Dry run #3: http://site.test/dry-runs/3/") < out.index("#3 running")
    score = (
        "Passed: the output has the right format; sample score 0.9600 (accuracy on 64 "
        "training items set aside: a check, not a result)"
    )
    assert score in " ".join(out.split())  # however the terminal wrapped it
    assert "Ran 2.50 s (2.25 s of CPU)" in out
    assert out.index("#3 passed") < out.index("Passed") < out.index("epoch 1: loss 0.4")


def test_a_failed_dry_run_exits_one_with_the_reason_then_the_log(serve, capsys):  # type: ignore[no-untyped-def]
    failed = dry_run(
        "failed", reason="predictions.csv: 48 of 50 test ids are missing.", log="test rows: 50"
    )
    serve({DRY_RUN: (201, dry_run("queued")), ("GET", "/api/dry-runs/3/"): (200, failed)})
    code, out, _ = run(capsys, "dry-run", "1986-xor-backprop", "main.py", "--every", "0")
    assert code == cli.DID_NOT_SCORE
    assert out.index("Failed: predictions.csv: 48 of 50 test ids are missing.") < out.index(
        "test rows: 50"
    )


def test_a_lost_dry_run_exits_one_and_says_to_start_another(serve, capsys):  # type: ignore[no-untyped-def]
    lost = dry_run("lost", reason="The worker running it went away. Start another.")
    serve({DRY_RUN: (201, dry_run("queued")), ("GET", "/api/dry-runs/3/"): (200, lost)})
    code, out, _ = run(capsys, "dry-run", "1986-xor-backprop", "main.py", "--every", "0")
    assert code == cli.DID_NOT_SCORE and "Lost: The worker running it went away." in out


def test_a_refused_dry_run_exits_two_with_the_servers_reason(serve, capsys):  # type: ignore[no-untyped-def]
    serve({DRY_RUN: (409, {"detail": "This challenge offers no dry run."})})
    code, _, err = run(capsys, "dry-run", "1986-xor-backprop", "main.py")
    assert code == cli.REFUSED and "This challenge offers no dry run." in err


def test_final_says_what_it_did(serve, capsys):  # type: ignore[no-untyped-def]
    api = serve(
        {("POST", "/api/submissions/7/final/"): (200, submission("scored", selected=False))}
    )
    code, out, _ = run(capsys, "final", "7", "--unmark")
    assert code == 0 and "#7 no longer marked as final." in out
    assert api.requests[0].content == b'{"selected":false}'


def test_the_state_line_says_where_a_submission_is():
    assert (
        display.state_line(submission("queued", queue_position=0)) == "#7 queued, next in the queue"
    )
    assert (
        display.state_line(submission("queued", queue_position=3))
        == "#7 queued, 3 ahead in the queue"
    )
    running = submission("running", elapsed_seconds=12.4)
    assert display.state_line(running) == "#7 running, 12 s of 60 s"


def test_on_a_terminal_the_watch_shows_the_time_bar_and_the_log():
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=80)
    with display.LiveWatch(console) as watch:
        watch.update(submission("queued", queue_position=2), "")
        watch.update(submission("running", elapsed_seconds=30.0), "epoch 3: loss 0.25")
    shown = screen.getvalue()
    assert "#7 queued, 2 ahead in the queue" in shown
    assert "#7 running, 30 s of 60 s" in shown
    assert "epoch 3: loss 0.25" in shown
    assert "━" in shown  # the bar of the time used against the limit
