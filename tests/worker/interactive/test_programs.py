"""Programs that play the interactive protocol well, badly or dishonestly, each run in
each real sandbox backend against a small character-LM evaluation: the good ones
score exactly what their probabilities say, every other one ends as the right
failure with a plain reason."""

from __future__ import annotations

import math
import os
import time
import uuid

import numpy as np
import pytest

from tests.support.char_lm import STEPS, STREAMS, UNIFORM, VOCAB, Evaluation, Interact
from worker.sandbox.docker import RUNTIME_UID

pytestmark = pytest.mark.integration

# Bets 0.9 on the character that ended the context, spreads 0.1 over the other 64.
REPEATS_LAST = """
import json, math, sys
print(json.dumps({"ready": True}))
for line in sys.stdin:
    query = json.loads(line)
    rows = []
    for context in query["contexts"]:
        row = [math.log(0.1 / 64)] * 65
        row[context[-1]] = math.log(0.9)
        rows.append(row)
    print(json.dumps({"query": query["query"], "logprobs": rows}))
"""

READY = 'import json, sys, time\nprint(json.dumps({"ready": True}))\n'


def answering(body: str) -> str:
    """A program that is ready at once, then answers each query with ``body``
    (Python code that prints to stdout, given ``query`` and ``n`` contexts)."""
    loop = "for line in sys.stdin:\n    query = json.loads(line)\n    n = len(query['contexts'])\n"
    return READY + loop + "".join(f"    {row}\n" for row in body.strip().splitlines())


def test_a_uniform_model_scores_exactly_log2_of_the_vocabulary(interact: Interact):
    outcome = interact(UNIFORM)
    assert outcome.scores is not None, outcome.reason
    assert outcome.scores.public == pytest.approx(math.log2(65), abs=1e-12)
    assert outcome.scores.private == pytest.approx(math.log2(65), abs=1e-12)
    assert outcome.scores.n_public + outcome.scores.n_private == STREAMS * STEPS
    assert outcome.record.answered == STEPS
    assert outcome.sandbox_status == "stopped_by_grader"
    assert "[grader]" in outcome.log_tail and f"{STEPS} of {STEPS} queries" in outcome.log_tail


def test_each_answer_is_scored_against_the_character_after_its_context(
    interact: Interact, evaluation: Evaluation
):
    outcome = interact(REPEATS_LAST)
    assert outcome.scores is not None, outcome.reason
    index = {c: i for i, c in enumerate(VOCAB)}
    targets = evaluation.targets()
    previous = np.array(
        [[index[evaluation.text[a + t - 1]] for t in range(STEPS)] for a in evaluation.starts]
    )
    bits = np.where(targets == previous, -math.log2(0.9), -math.log2(0.1 / 64))
    public = np.array(evaluation.public)
    assert outcome.scores.public == pytest.approx(bits[public].mean(), abs=1e-9)
    assert outcome.scores.private == pytest.approx(bits[~public].mean(), abs=1e-9)


def test_a_program_that_never_answers_fails_when_the_query_budget_runs_out(interact: Interact):
    started = time.monotonic()
    outcome = interact(READY + "time.sleep(600)\n", grading_changes={"query_seconds": 2})
    assert outcome.scores is None
    assert "did not answer query 0 (of 4) within the query phase's 2 s" in outcome.reason
    assert time.monotonic() - started < 10  # the budget, not the run's wall limit


def test_a_program_that_never_gets_ready_runs_into_the_time_limit(interact: Interact):
    outcome = interact("import time\ntime.sleep(600)\n", wall_seconds=2)
    assert outcome.result.status == "time_limit"
    assert "stopped at its wall-clock time limit" in outcome.reason
    assert "had not printed its ready line" in outcome.reason


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            "print(json.dumps({'query': query['query'], 'logprobs': [[0.0] * 65]}))",
            "must give one row per context (6), got 1 rows",
        ),
        (
            "print(json.dumps({'query': query['query'], 'logprobs': [[-4.17] * 64] * n}))",
            "row 0 must hold 65 numbers, got 64 values",
        ),
        (
            "print(json.dumps({'query': query['query'], 'probs': [[-4.17] * 65] * n}))",
            'must hold "logprobs" (and "query"), not probs',
        ),
        (
            "print(json.dumps({'query': 7, 'logprobs': [[-4.17] * 65] * n}))",
            'the answer to query 0 must carry "query": 0',
        ),
        (
            "print(json.dumps({'query': query['query'], 'logprobs': [['-4.17'] * 65] * n}))",
            "holds a value that is not a number",
        ),
        ("print('thinking...')", "the answer to query 0 is not one line of JSON"),
        ("print(json.dumps([query['query']]))", "the answer to query 0 must be a JSON object"),
    ],
    ids=["rows", "columns", "key", "query-number", "strings", "not-json", "not-object"],
)
def test_an_answer_of_the_wrong_shape_fails_with_what_was_wrong(
    interact: Interact, body: str, reason: str
):
    outcome = interact(answering(body))
    assert outcome.scores is None
    assert outcome.reason.startswith("Your program broke the interactive protocol")
    assert reason in outcome.reason


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("[0.0] * 65", "the probabilities of row 0 sum to 65, not 1"),
        ("[math.log(0.5 / 65)] * 65", "sum to 0.5, not 1"),
        ("[math.log(1.01 / 65)] * 65", "sum to 1.01, not 1"),
        ("[float('nan')] * 65", "NaN is not a number in JSON"),
        ("[-math.inf] + [-math.log(64)] * 64", "-Infinity is not a number in JSON"),
    ],
    ids=["zeros", "half", "one-percent-over", "nan", "minus-infinity"],
)
def test_probabilities_that_do_not_sum_to_one_fail(interact: Interact, row: str, reason: str):
    body = f"import math\nprint(json.dumps({{'query': query['query'], 'logprobs': [{row}] * n}}))"
    outcome = interact(answering(body))
    assert outcome.scores is None
    assert reason in outcome.reason


def test_rounded_log_probabilities_still_count_as_summing_to_one(interact: Interact):
    body = "print(json.dumps({'query': query['query'], 'logprobs': [[-4.1744] * 65] * n}))"
    outcome = interact(answering(body))
    assert outcome.scores is not None, outcome.reason
    assert outcome.scores.public == pytest.approx(4.1744 / math.log(2), abs=1e-9)


def test_printing_before_the_ready_line_fails_and_says_to_use_stderr(interact: Interact):
    outcome = interact("print('loading the data...')\n" + UNIFORM)
    assert outcome.scores is None
    assert "the first line on stdout must be" in outcome.reason
    assert "'loading the data...'" in outcome.reason
    assert "print logs and progress to stderr" in outcome.reason


def test_flooding_stdout_before_the_ready_line_fails(interact: Interact):
    outcome = interact("import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n")
    assert outcome.scores is None
    assert "more than 4096 bytes to stdout before its ready line" in outcome.reason


def test_flooding_stdout_instead_of_answering_fails(interact: Interact):
    outcome = interact(
        READY + "while True:\n    sys.stdout.write('y' * 65536)\n",
        grading_changes={"max_answer_kb": 64},
    )
    assert outcome.scores is None
    assert "64 KiB" in outcome.reason
    assert outcome.result.peak_memory_bytes < 256 * 1024 * 1024


def test_flooding_stdout_with_lines_fails_on_the_first_one(interact: Interact):
    outcome = interact(READY + "while True:\n    print('spam ' * 100)\n")
    assert outcome.scores is None
    assert "the answer to query 0 is not one line of JSON" in outcome.reason


def test_a_program_that_closes_its_stdout_fails_as_one_that_stopped_answering(
    interact: Interact,
):
    outcome = interact(
        READY + "import os\nos.close(1)\ntime.sleep(600)\n", grading_changes={"query_seconds": 2}
    )
    assert outcome.scores is None
    assert "did not answer query 0" in outcome.reason


def test_a_program_that_closes_stdout_and_exits_fails_saying_how_far_it_got(interact: Interact):
    body = "print(json.dumps({'query': query['query'], 'logprobs': [[-math.log(65)] * 65] * n}))"
    outcome = interact(
        answering(
            "import math\n" + body + "\nif query['query'] == 1:\n    sys.stdout.close()\n    break"
        )
    )
    assert outcome.scores is None
    assert (
        outcome.reason
        == "Your program exited after answering 2 of 4 queries; it must answer them all."
    )


def test_a_program_that_exits_without_getting_ready_fails(interact: Interact):
    outcome = interact("print('bye', file=__import__('sys').stderr)\n")
    assert outcome.scores is None
    assert "exited without printing its ready line" in outcome.reason
    assert outcome.log_tail.startswith("bye")


def test_a_crash_while_answering_fails_with_the_exit_code_and_the_traceback(interact: Interact):
    body = "raise RuntimeError('the model diverged')"
    outcome = interact(answering(body))
    assert outcome.scores is None
    assert "exited with code 1" in outcome.reason
    assert "It had answered 0 of 4 queries" in outcome.reason
    assert "RuntimeError: the model diverged" in outcome.log_tail


def test_the_hidden_text_cannot_be_read_from_any_path(interact: Interact, evaluation: Evaluation):
    secret = evaluation.text[evaluation.starts[0] : evaluation.starts[0] + 40]
    program = f"""
    import os, sys
    SECRET = {secret.encode()!r}
    HIDDEN = {str(evaluation.hidden)!r}
    places = [HIDDEN + "/text.txt", "/data/../hidden/text.txt", "/proc/1/root" + HIDDEN,
              "/proc/self/root" + HIDDEN + "/text.txt", "/proc/1/environ", "/proc/self/environ"]
    for root in ("/", "/proc/1/root", "/proc/self/cwd"):
        for folder, dirs, files in os.walk(root):
            if folder == root:  # system files and the runtime hold nothing of ours
                dirs[:] = [d for d in dirs if d not in ("proc", "sys", "usr", "opt", "dev")]
            places += [os.path.join(folder, name) for name in files]
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            places += [f"/proc/{{pid}}/cmdline", f"/proc/{{pid}}/environ"]
            places += [f"/proc/{{pid}}/fd/{{fd}}" for fd in range(3, 20)]
    readable = 0
    for place in places:
        try:
            with open(place, "rb") as handle:
                content = handle.read(50_000_000)
        except OSError:
            continue
        readable += 1
        if SECRET in content:
            print("found the hidden text in", place, file=sys.stderr)
            sys.exit(0)
    print(f"searched {{len(places)}} paths, read {{readable}}: hidden text not found",
          file=sys.stderr)
    sys.exit(3)
    """
    outcome = interact(program)
    assert "found the hidden text" not in outcome.log_tail
    assert "hidden text not found" in outcome.log_tail, outcome.log_tail
    assert "exited with code 3" in outcome.reason


def test_nothing_of_the_run_survives_it_even_a_forked_child(interact: Interact):
    marker = f"interactive-daemon-{uuid.uuid4().hex}"
    daemon = (
        "import subprocess, sys\n"
        f'subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "{marker}"],'
        " start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)\n"
    )
    program = daemon + UNIFORM
    outcome = interact(program)
    assert outcome.scores is not None, outcome.reason
    assert [pid for pid in os.listdir("/proc") if pid.isdigit() and _runs(pid, marker)] == []


def test_a_cancelled_run_is_not_recorded(interact: Interact):
    outcome = interact(READY + "time.sleep(600)\n", tick=lambda: False)
    assert outcome.cancelled
    assert outcome.scores is None and outcome.reason == ""


def _runs(pid: str, text: str) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return text.encode() in cmdline.read()
    except OSError:
        return False


def test_the_memory_limit_holds_in_the_query_phase(interact: Interact):
    hog = "    hog = bytearray(1024 * 1024 * 1024)\n    hog[::4096] = b'x' * len(hog[::4096])"
    outcome = interact(READY + "for line in sys.stdin:\n" + hog + "\n")
    assert outcome.result.status == "memory_limit"
    assert "used more than 256 MB of memory" in outcome.reason
    assert "It had answered 0 of 4 queries" in outcome.reason


def test_the_program_runs_as_an_unprivileged_user_with_the_usual_sandbox(
    interact: Interact, request: pytest.FixtureRequest
):
    # bubblewrap maps the run's own host uid to 1000 inside; a container runs as its image's user
    uid = {"bubblewrap": 1000, "docker": RUNTIME_UID}[request.node.callspec.params["interact"]]
    probe = (
        "import os, sys\n"
        "print('uid', os.getuid(), 'env', sorted(os.environ), file=sys.stderr)\n"
        "print('hidden', os.path.exists('/hidden'), file=sys.stderr)\n"
    )
    outcome = interact(probe + UNIFORM)
    assert outcome.scores is not None, outcome.reason
    assert f"uid {uid} " in outcome.log_tail
    assert "DATABASE_URL" not in outcome.log_tail and "hidden False" in outcome.log_tail
