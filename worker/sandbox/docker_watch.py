"""Following one sandbox container to its end: the docker backend's monitor loop.

Every POLL_SECONDS: the container's state, the wall clock and CPU time (the
engine's stats), /output's size, the warning before a time limit (warning.py),
the log's head while it is still short, and about every TICK_SECONDS the
caller's tick. Between polls it waits on the engine's wait call, which returns
when the container exits.

The warning is sent from inside the container: a process exec'd there (as the
program's user, under its seccomp profile and limits) runs ``warning.signal_main``
on pid 1's children. It is started detached and its end read on later polls, so
a program that stops or slows it (same user) never holds up this loop, which
keeps every limit on time; the worker needs no view of the host's processes (in
compose it has none).

The log is the engine's (json-file, capped and rotated: a flood's middle is
dropped by the engine). Its head is read from the engine while the log is
shorter than the head's share, at least every HEAD_SECONDS, so a log that later
rotates keeps it; a program printing more than the engine's cap before the first
read loses it, and the count of bytes left out is then a lower bound.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

from worker.sandbox import layout, logs, outputs, warning
from worker.sandbox.base import SandboxResult, SandboxSpec, SandboxUnavailable, Tick
from worker.sandbox.verdict import Observed, decide, limit_hit

POLL_SECONDS = 0.2
TICK_SECONDS = 0.5
HEAD_SECONDS = 1.0


class Watch:
    """Start one container and follow it to its end."""

    def __init__(self, container: Any, spec: SandboxSpec, tick: Tick | None, *, api: Any) -> None:
        self.container, self.spec, self.tick = container, spec, tick
        self.cpu_seconds = 0.0
        self.peak_memory = 0
        self.log_stdout = True
        self.detach: Callable[[], None] = lambda: None
        self.disk_full: Callable[[], bool] = lambda: False
        limits = spec.limits
        self.warning = warning.TimeWarning(limits.wall_seconds, limits.cpu_seconds)
        self._warner = _Warner(api, container, layout.command(spec)[0])
        self._head = _Head(container, keep=limits.log_bytes)

    def run(self) -> SandboxResult:
        started = time.monotonic()
        try:
            self.container.start()
        except Exception as exc:  # the engine could not start it: never the program's fault
            raise SandboxUnavailable(f"cannot start the sandbox container: {exc}") from exc
        self._sample()  # at once: a short program may be gone by the first poll
        stop = self._follow(started)
        # The run is over: let go of an interactive run's stdin and stdout before the
        # kill. podman's conmon holds a container whose attached output waits to be
        # read, and its kill waits for the end (5 s, then 30 s more for the state).
        self.detach()
        if stop is not None:
            with contextlib.suppress(Exception):
                self.container.kill()
        state = self._final_state()
        wall = time.monotonic() - started
        self._settle_warning()
        return self._result(stop, state, wall)

    def _follow(self, started: float) -> str | None:
        limits, next_tick = self.spec.limits, started
        while True:
            self.container.reload()
            if self.container.status in ("exited", "dead"):
                return None
            now = time.monotonic()
            if now - started > limits.wall_seconds:
                return warning.WALL
            if self.cpu_seconds > limits.cpu_seconds:
                return warning.CPU
            if outputs.usage(self.spec.output_dir, stop_above=limits.output_bytes).over(
                max_bytes=limits.output_bytes
            ):
                return "output"
            if self.tick is not None and now >= next_tick:
                next_tick = now + TICK_SECONDS
                if not self.tick():
                    return "cancelled"
            self._warn_if_due(now - started)
            self._head.follow(stdout=self.log_stdout, now=now)
            self._sample()
            self._pause()

    def _warn_if_due(self, wall: float) -> None:
        if self._warner.sent(self.warning):
            return
        limit = self.warning.due(wall=wall, cpu=self.cpu_seconds)
        if limit is not None:
            self._warner.start(limit)

    def _settle_warning(self) -> None:
        """A warning sent just before the end: its exec's answer comes after the loop."""
        self._warner.sent(self.warning)

    def _pause(self) -> None:
        """Up to POLL_SECONDS, less if the container exits meanwhile: the engine's
        wait call returns at its end (sleeping instead added up to a poll to every
        run). A timeout is the common case: it is still running."""
        began = time.monotonic()
        try:
            self.container.wait(timeout=POLL_SECONDS)
        except Exception:  # requests' ReadTimeout, or the engine's error
            time.sleep(max(0.0, POLL_SECONDS - (time.monotonic() - began)))

    def _sample(self) -> None:
        with contextlib.suppress(Exception):  # stats of a container that just ended
            stats = self.container.stats(stream=False, one_shot=True)
            memory = stats.get("memory_stats", {})
            usage = memory.get("max_usage") or memory.get("usage") or 0
            self.peak_memory = max(self.peak_memory, int(usage))
            total = stats.get("cpu_stats", {}).get("cpu_usage", {}).get("total_usage", 0)
            self.cpu_seconds = max(self.cpu_seconds, total / 1e9)

    def _final_state(self) -> dict[str, Any]:
        with contextlib.suppress(Exception):
            self.container.wait(timeout=30)
        self.container.reload()
        return dict(self.container.attrs.get("State", {}))

    def _result(self, stop: str | None, state: dict[str, Any], wall: float) -> SandboxResult:
        limits = self.spec.limits
        code = int(state.get("ExitCode", -1))
        oom_killed = bool(state.get("OOMKilled"))
        # Stats are sampled while the container runs (its cgroup goes with it): a
        # burst in its last moments is missed; an OOM kill means it hit the limit.
        peak = max(self.peak_memory, limits.memory_bytes) if oom_killed else self.peak_memory
        exit_code, signal_number = (None, code - 128) if code > 128 else (code, None)
        written = outputs.usage(self.spec.output_dir, stop_above=limits.output_bytes)
        seen = Observed(
            exit_code=exit_code,
            signal=signal_number,
            cancelled=stop == "cancelled",
            time_exceeded=stop in (warning.WALL, warning.CPU),
            stopped_at=warning.CPU if stop == warning.CPU else warning.WALL,
            warned_of=self.warning.sent,
            memory_exceeded=oom_killed,
            output_exceeded=stop == "output"
            or written.over(max_bytes=limits.output_bytes)
            or self.disk_full(),
            cpu_seconds=self.cpu_seconds,
            cpu_limit=limits.cpu_seconds,
        )
        return SandboxResult(
            status=decide(seen),
            exit_code=exit_code,
            signal=signal_number,
            wall_seconds=wall,
            cpu_seconds=self.cpu_seconds,
            peak_memory_bytes=peak,
            log_tail=self._kept_log(stdout=self.log_stdout),
            warned_of=self.warning.sent,
            limit_hit=limit_hit(seen),
        )

    def stderr_so_far(self) -> str:
        """An interactive run's log as it stands (its stderr: stdout is the answers)."""
        return self._kept_log(stdout=False)

    def _kept_log(self, *, stdout: bool) -> str:
        try:
            raw = bytes(self.container.logs(stdout=stdout, stderr=True))
        except Exception:
            return ""
        return self._head.kept(raw)


class _Head:
    """The log's head, read from the engine while the log is short (it may rotate later)."""

    def __init__(self, container: Any, *, keep: int) -> None:
        self.container, self.keep = container, keep
        self.share = logs.shares(keep)[0]
        self.bytes = b""
        self.complete = self.share == 0
        self._next = 0.0

    def follow(self, *, stdout: bool, now: float) -> None:
        if self.complete or now < self._next:
            return
        self._next = now + HEAD_SECONDS
        try:
            raw = bytes(self.container.logs(stdout=stdout, stderr=True))
        except Exception:
            return
        if not raw.startswith(self.bytes):  # rotated meanwhile: what was read is the head
            self.complete = True
            return
        self.bytes = raw[: self.share]
        self.complete = len(self.bytes) >= self.share

    def kept(self, raw: bytes) -> str:
        """The log the engine holds now (``raw``), kept as head, count and end."""
        if raw.startswith(self.bytes):  # nothing lost to rotation: exact
            return logs.keep_ends(raw, keep=self.keep)
        end = logs.shares(self.keep)[1]
        tail = raw[max(0, len(raw) - end) :]
        left_out = len(raw) - len(tail)  # and whatever rotated away before it
        return logs.kept_text(self.bytes, tail, left_out=left_out, at_least=True)


class _Warner:
    """The warning, sent by a process exec'd in the container (``warning.IN_CONTAINER``)."""

    def __init__(self, api: Any, container: Any, python: str) -> None:
        self.api, self.container, self.python = api, container, python
        self.exec_id: str | None = None
        self.limit: warning.Limit | None = None

    def start(self, limit: warning.Limit) -> None:
        """Start the exec (detached); its end is read by ``sent``."""
        if self.api is None or self.exec_id is not None:
            return
        with contextlib.suppress(Exception):  # an engine error, a full pids cgroup: next time
            created = self.api.exec_create(
                self.container.id,
                [self.python, "-I", "-S", "-c", warning.IN_CONTAINER],
                stdout=False,
                stderr=False,
            )
            self.api.exec_start(created["Id"], detach=True)
            self.exec_id, self.limit = created["Id"], limit

    def sent(self, tracker: warning.TimeWarning) -> bool:
        """Whether the warning is sent (recorded in ``tracker``); reads a started exec's end."""
        if tracker.sent is not None:
            return True
        if self.exec_id is None:
            return False
        try:
            state = self.api.exec_inspect(self.exec_id)
        except Exception:
            state = {"Running": False, "ExitCode": None}
        if state.get("Running"):
            return False
        if state.get("ExitCode") == warning.SENT:
            tracker.sent = self.limit
        self.exec_id = None  # ended: sent, or tried again when due
        return tracker.sent is not None
