"""An interactive run's stdin and stdout through the engine's attach socket.

The docker backend attaches to the container before starting it and hands the
socket to a ``Bridge``, which presents it to the channel as the two pipes the
bubblewrap backend gives it (``launch.ChannelPipes``).
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import threading
from typing import Any

from worker.sandbox import launch
from worker.sandbox.base import Channel, LogReader, SandboxUnavailable


def attach(container: Any) -> socket.socket:
    """The container's stdin and stdout (not stderr: that stays the log), attached
    before it starts so that no line is missed."""
    try:
        attached = container.attach_socket(params={"stdin": 1, "stdout": 1, "stream": 1})
    except Exception as exc:
        raise SandboxUnavailable(f"cannot attach to the sandbox container: {exc}") from exc
    raw: socket.socket = getattr(attached, "_sock", attached)  # the SDK wraps the raw socket
    return raw


class Bridge:
    """An attach socket presented to a channel as the pipes bubblewrap gives it.

    One pump copies the channel's queries into the socket; the other unwraps the
    engine's framing (8-byte headers: stream, 0, 0, 0, big-endian length) and
    copies stdout frames into the channel's pipe. Blocking writes into a pipe the
    channel does not read hold the container's stdout back: nothing piles up here.
    """

    def __init__(self, raw: socket.socket, channel: Channel, log_so_far: LogReader) -> None:
        self.raw = raw
        self.pipes = launch.ChannelPipes(channel, log_so_far)
        self._closed = False
        stdin, stdout = (os.dup(fd) for fd in self.pipes.child_ends)
        self.pumps = [
            threading.Thread(target=self._queries, args=(stdin,), daemon=True),
            threading.Thread(target=self._answers, args=(stdout,), daemon=True),
        ]

    def start(self) -> None:
        for pump in self.pumps:
            pump.start()
        self.pipes.start()

    def close(self) -> None:
        """Once (it may be asked again): the channel's end, then the socket's."""
        if self._closed:
            return
        self._closed = True
        try:
            self.pipes.close()
        finally:
            with contextlib.suppress(OSError):
                self.raw.shutdown(socket.SHUT_RDWR)
            self.raw.close()
            for pump in self.pumps:
                pump.join(launch.CHANNEL_JOIN_SECONDS)

    def _queries(self, stdin: int) -> None:
        try:
            while chunk := os.read(stdin, 65536):
                self.raw.sendall(chunk)
            self.raw.shutdown(socket.SHUT_WR)  # the channel is done: the program's stdin ends
        except OSError:
            pass  # the container or the socket is gone
        finally:
            os.close(stdin)

    def _answers(self, stdout: int) -> None:
        try:
            while header := _read_exactly(self.raw, 8):
                stream, length = struct.unpack(">BxxxL", header)
                payload = _read_exactly(self.raw, length)
                while stream == 1 and payload:
                    payload = payload[os.write(stdout, payload) :]
        except OSError:
            pass
        finally:
            os.close(stdout)  # the channel sees the program's stdout end


def _read_exactly(raw: socket.socket, size: int) -> bytes:
    """``size`` bytes, or b"" at the end of the stream."""
    data = bytearray()
    while len(data) < size:
        chunk = raw.recv(min(size - len(data), 65536))
        if not chunk:
            return b""
        data += chunk
    return bytes(data)
