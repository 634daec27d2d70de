"""The worker reads a running log's new lines at each look, though the log is cut
to its end as it grows, and keeps the curves of every progress line once."""

from __future__ import annotations

from worker.progress import LiveRun, log_end, new_text
from worker.sandbox.base import RunSoFar


def test_new_text_is_what_was_appended():
    assert new_text("a\nb\n", "a\nb\nc\n") == "c\n"
    assert new_text("", "a\n") == "a\n"


def test_new_text_follows_a_log_whose_head_was_cut():
    before = "".join(f"line {i}\n" for i in range(100))
    now = before[500:] + "line 100\nline 101\n"
    assert new_text(before, now) == "line 100\nline 101\n"


def test_new_text_is_all_of_it_when_the_last_look_is_gone():
    assert new_text("old stuff that was dropped\n", "fresh\n") == "fresh\n"


def test_the_log_shown_is_its_last_lines_each_cut_short():
    log = "\n".join(f"{i} " + "x" * 1000 for i in range(100))
    shown = log_end(log).splitlines()
    assert len(shown) == 40 and shown[0].startswith("60 ") and all(len(s) == 500 for s in shown)


def test_each_progress_line_counts_once_across_looks_and_a_last_partial_line_at_the_end(
    monkeypatch,
):
    published: list[dict[str, object]] = []
    monkeypatch.setattr(
        "worker.live_state.keep", lambda submission_id, state: published.append(state)
    )
    run = LiveRun(submission_id=1, attempt=1, heartbeat=lambda: True, interactive=False)
    log = ""
    for step in range(1, 6):
        log += f'epoch {step}\n{{"progress": {step / 10}, "step": {step}, "loss": {1 / step}}}\n'
        run.next_publish = 0.0  # every look publishes
        run.see(RunSoFar(cpu_seconds=1.0, memory_bytes=10, log=lambda text=log: text))
    assert run() is True
    state = published[-1]
    assert state["progress"] == 0.5 and state["cpu_seconds"] == 1.0
    assert str(state["log"]).endswith('"step": 5, "loss": 0.2}')
    final = log + '{"progress": 1.0, "step": 6, "loss": 0.1}'  # no newline at its end
    curves = run.curves_after(final)
    assert curves["progress"] == 1.0
    assert [x for x, _ in curves["series"]["loss"]] == [1, 2, 3, 4, 5, 6]  # type: ignore[index]
