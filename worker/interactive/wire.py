"""Lines over the pipes of an interactive run, with deadlines and bounded memory.

Both of our ends are non-blocking and every wait is a ``poll`` with a short
timeout, so a program that stops reading, stops writing or floods its stdout
can only make an exchange fail (with the reason why), never hang the worker or
fill its memory: at most one line's cap (plus one read) is ever buffered.
"""

from __future__ import annotations

import math
import os
import select
import threading
import time

CHUNK = 1 << 16
POLL_SECONDS = 0.1


class WireError(Exception):
    """An exchange could not complete; the subclass says why."""


class Silent(WireError):
    """The deadline passed. ``sending``: the query was not even read in full."""

    def __init__(self, *, sending: bool) -> None:
        super().__init__("deadline passed")
        self.sending = sending


class Closed(WireError):
    """The program's stdout ended, or its stdin was closed (``stdin``)."""

    def __init__(self, *, stdin: bool) -> None:
        super().__init__("pipe closed")
        self.stdin = stdin


class Overlong(WireError):
    """The program printed more than a line may hold (``sending``: while we still wrote)."""

    def __init__(self, *, sending: bool) -> None:
        super().__init__("line too long")
        self.sending = sending


class Ended(WireError):
    """The run is over (the backend set ``ended``)."""


class Wire:
    def __init__(self, *, to_program: int, from_program: int, ended: threading.Event) -> None:
        self.to_program, self.from_program, self.ended = to_program, from_program, ended
        os.set_blocking(to_program, False)
        os.set_blocking(from_program, False)
        self._buffer = bytearray()
        self.waiting_seconds = 0.0  # time spent in poll: the program's share of an exchange

    def exchange(self, line: bytes | None, *, max_bytes: int, deadline: float = math.inf) -> bytes:
        """Send ``line`` (if any), then return the program's next line (without its newline)."""
        pending = memoryview(line or b"")
        while True:
            if not pending:
                answer = self._take_line(max_bytes)
                if answer is not None:
                    return answer
            elif len(self._buffer) > max_bytes:  # printing, not reading its query
                raise Overlong(sending=True)
            if self.ended.is_set():
                raise Ended("the run is over")
            now = time.monotonic()
            if now >= deadline:
                raise Silent(sending=bool(pending))
            readable, writable = self._wait(bool(pending), min(deadline - now, POLL_SECONDS))
            if readable:
                self._read()
            if writable:
                pending = pending[self._write(pending) :]

    def _take_line(self, max_bytes: int) -> bytes | None:
        end = self._buffer.find(b"\n", 0, max_bytes + 1)
        if end >= 0:
            line = bytes(self._buffer[:end])
            del self._buffer[: end + 1]
            return line
        if len(self._buffer) > max_bytes:
            raise Overlong(sending=False)
        return None

    def _wait(self, sending: bool, timeout: float) -> tuple[bool, bool]:
        poller = select.poll()
        poller.register(self.from_program, select.POLLIN)
        if sending:
            poller.register(self.to_program, select.POLLOUT)
        started = time.monotonic()
        events = dict(poller.poll(max(0.0, timeout) * 1000))
        self.waiting_seconds += time.monotonic() - started
        # POLLHUP/POLLERR count as ready: the read or write that follows says what happened.
        return self.from_program in events, self.to_program in events

    def _read(self) -> None:
        try:
            chunk = os.read(self.from_program, CHUNK)
        except BlockingIOError:
            return
        if not chunk:
            raise Closed(stdin=False)
        self._buffer += chunk

    def _write(self, pending: memoryview) -> int:
        try:
            return os.write(self.to_program, pending[:CHUNK])
        except BlockingIOError:
            return 0
        except BrokenPipeError:
            raise Closed(stdin=True) from None
