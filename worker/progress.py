"""A running submission, shown live: the sandbox shows its tick the run as it
stands (``worker.sandbox.base.Watcher``); about every PUBLISH_SECONDS this
keeps the submission's live state (``worker.live_state``, shown by
``server.submissions.live``): elapsed
time, CPU and peak memory so far, the end of its log, and the progress and
curves read from its progress lines (``graders.readers.progress_lines``). The
curves are kept with the submission when it ends (``curves_after``).

Best effort: nothing here may stop or fail a run."""

from __future__ import annotations

import logging
import time

from graders.readers.progress_lines import Curves
from worker import live_state
from worker.sandbox.base import RunSoFar, Tick, Watcher

logger = logging.getLogger(__name__)
PUBLISH_SECONDS = 0.5
LOG_LINES = 40  # what the page shows of the log (as of the final log)
LOG_LINE_CHARS = 500
MAX_LEFT_SECONDS = 7 * 86400.0
# Enough of the previous look's end to find where it stands in the next one.
ANCHOR_CHARS = 200


class LiveRun(Watcher):
    """The worker's tick (``heartbeat``), publishing the run's live state as it goes."""

    def __init__(
        self, *, submission_id: int, attempt: int, heartbeat: Tick, interactive: bool
    ) -> None:
        self.submission_id, self.attempt = submission_id, attempt
        self.heartbeat, self.interactive = heartbeat, interactive
        self.started = time.monotonic()
        self.next_publish = self.started
        self.curves = Curves()
        self.seen = ""  # the log as it stood at the last look
        self.partial = ""  # a line not yet ended at the last look

    def __call__(self) -> bool:
        return self.heartbeat()

    def see(self, so_far: RunSoFar) -> None:
        now = time.monotonic()
        if now < self.next_publish:
            return
        self.next_publish = now + PUBLISH_SECONDS
        try:
            log = so_far.log()
            self._read(log)
            live_state.keep(self.submission_id, self._state(so_far, log, now))
        except Exception:  # a live page is worth less than the run
            logger.warning("no live state for submission %s", self.submission_id, exc_info=True)

    def _read(self, log: str) -> None:
        """Feed the progress lines ended since the last look."""
        text = self.partial + new_text(self.seen, log)
        self.seen = log
        ended, _, self.partial = text.rpartition("\n")
        self.curves.feed(ended)

    def _state(self, so_far: RunSoFar, log: str, now: float) -> dict[str, object]:
        elapsed = now - self.started
        return {
            "attempt": self.attempt,
            "interactive": self.interactive,
            "elapsed": elapsed,
            "cpu_seconds": so_far.cpu_seconds,
            "memory_bytes": so_far.memory_bytes,
            "log": log_end(log),
            "progress": self.curves.progress,
            "ends_at": ends_at(elapsed=elapsed, progress=self.curves.progress),
            "curves": self.curves.as_json(),
        }

    def curves_after(self, final_log: str) -> dict[str, object]:
        """The curves to keep, once the run is over and its final log is known."""
        try:
            self._read(final_log + "\n")
        except Exception:
            logger.warning("curves of submission %s", self.submission_id, exc_info=True)
        return self.curves.as_json()


def new_text(before: str, now: str) -> str:
    """What the log ``now`` holds past where it stood (``before``). The log is cut
    to its end as it grows, so ``before`` may have slid out of ``now``'s start: its
    last characters are looked for; if they are gone too, all of ``now`` is new."""
    if now.startswith(before):
        return now[len(before) :]
    anchor = before[-ANCHOR_CHARS:]
    at = now.rfind(anchor) if anchor else -1
    return now[at + len(anchor) :] if at >= 0 else now


def log_end(log: str) -> str:
    """The log's last lines, each cut short, as the page shows them."""
    lines = log.splitlines()[-LOG_LINES:]
    return "\n".join(line[:LOG_LINE_CHARS] for line in lines)


def ends_at(*, elapsed: float, progress: float | None) -> float | None:
    """When a run that is ``progress`` done after ``elapsed`` seconds should end, at
    its pace so far (a Unix time); None until it has made some progress."""
    if progress is None or progress <= 0.0 or elapsed <= 0.0:
        return None
    return time.time() + min(elapsed * (1.0 - progress) / progress, MAX_LEFT_SECONDS)
