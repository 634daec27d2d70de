"""What the hostile programs attack, on the host: loot and targets.

The arena plants secrets (each a unique token) where an attacker would look:
hidden labels, another student's code, a file of a foreign uid, the worker's
environment, the command line and environment of a host process, the greeting
of listeners on TCP (every address), an abstract and a path unix socket. The
attacks are told where everything is (``targets``, written beside them as
/submission/targets.json): the worst case is an attacker who knows the platform.
A token seen in a run's log or /output is a leak; ``problems()`` says what
else must stay true on the host (files untouched, the victim alive, no
connection ever accepted).
"""

from __future__ import annotations

import contextlib
import os
import resource
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from worker.sandbox.launch import OPEN_FILES, within_own

SECRET_ENV = "MILESTONES_FAKE_SECRET"
FOREIGN_UID = 12345  # owns the canary: a followed link would show as a changed owner


class Listener:
    """A socket that greets every client with a token and counts the connections."""

    def __init__(self, sock: socket.socket, token: str) -> None:
        self.sock, self.token, self.accepted = sock, token, 0
        self.sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            with conn, contextlib.suppress(OSError):
                conn.sendall(self.token.encode())

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


def _tcp_listener(token: str) -> Listener:
    try:  # one dual-stack socket: 0.0.0.0 and :: (so 127.0.0.1, ::1 and the host's address)
        sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(("::", 0))
    except OSError:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("0.0.0.0", 0))
    sock.listen(16)
    return Listener(sock, token)


def _unix_listener(address: str, token: str) -> Listener:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(address)
    sock.listen(16)
    return Listener(sock, token)


def host_address() -> str:
    """This machine's address on its default route (what a sandbox could try to reach)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent for UDP connect
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


@dataclass
class Arena:
    root: Path
    repo: Path
    tokens: dict[str, str] = field(default_factory=dict)
    targets: dict[str, object] = field(default_factory=dict)
    listeners: list[Listener] = field(default_factory=list)
    victim: subprocess.Popen[bytes] | None = None
    _files: dict[Path, tuple[bytes, int, int]] = field(default_factory=dict)

    def token(self, name: str) -> str:
        self.tokens[name] = f"LOOT-{name}-{uuid.uuid4().hex}"
        return self.tokens[name]

    def plant(self, path: Path, content: str, *, mode: int, uid: int = 0) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        os.chown(path, uid, uid)
        path.chmod(mode)
        self._files[path] = self._state(path)
        return path

    def leaks_in(self, text: str) -> list[str]:
        return [name for name, token in self.tokens.items() if token in text]

    def problems(self) -> list[str]:
        """What is no longer as it must be on the host, in words (empty: all is well)."""
        found = [
            f"{path} changed" for path, state in self._files.items() if self._state(path) != state
        ]
        if self.victim is not None and self.victim.poll() is not None:
            found.append(f"the victim process died ({self.victim.returncode})")
        found += [
            f"{listener.sock.getsockname()!r} accepted {listener.accepted} connection(s)"
            for listener in self.listeners
            if listener.accepted
        ]
        return found

    @staticmethod
    def _state(path: Path) -> tuple[bytes, int, int]:
        info = path.lstat()
        return path.read_bytes(), info.st_uid, info.st_mode


@contextlib.contextmanager
def arena(root: Path, *, repo: Path, limits: dict[str, float]) -> Iterator[Arena]:
    """Set the arena up under ``root`` (a folder the sandbox is never given)."""
    room = Arena(root=root, repo=repo)
    hidden = room.plant(
        root / "challenge" / "hidden" / "labels.csv",
        f"id,label\n1,{room.token('hidden_labels')}\n",
        mode=0o600,
    )
    hidden.parent.chmod(0o700)
    other = room.plant(
        root / "runs" / "41-1" / "code" / "main.py",
        f"# {room.token('other_submission')}\n",
        mode=0o644,
    )
    canary = room.plant(root / "canary.txt", room.token("canary"), mode=0o600, uid=FOREIGN_UID)
    # Readable by anyone, in host folders a container also has of its own (its image's).
    host_files = [
        room.plant(
            folder / f"milestones-arena-{uuid.uuid4().hex[:8]}", room.token(name), mode=0o644
        )
        for folder, name in ((Path("/run"), "host_run"), (Path("/var/tmp"), "host_var"))
    ]
    env_before = os.environ.get(SECRET_ENV)
    os.environ[SECRET_ENV] = room.token("worker_environment")
    room.victim = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(3600)", room.token("victim_argv")],
        env={"VICTIM_SECRET": room.token("victim_environment")},
        start_new_session=True,
    )
    abstract = f"\0milestones-hostile-{uuid.uuid4().hex[:8]}"
    unix_path = root / "listener.sock"
    tcp = _tcp_listener(room.token("tcp_listener"))
    room.listeners = [
        tcp,
        _unix_listener(abstract, room.token("abstract_socket")),
        _unix_listener(str(unix_path), room.token("unix_socket")),
    ]
    room.targets = {
        "hidden_labels": str(hidden),
        "hidden_dir": str(hidden.parent),
        "other_submission": str(other),
        "runs_dir": str(other.parents[2]),
        "canary": str(canary),
        "host_files": [str(path) for path in host_files],
        "project": str(repo),
        "settings": str(repo / "server" / "milestones" / "settings.py"),
        "secret_key": str(repo / "var" / "secret_key"),
        "databases": [str(repo / "var" / "db.sqlite3"), "/var/lib/postgresql", "/var/lib/redis"],
        "secret_env_name": SECRET_ENV,
        "victim_pid": room.victim.pid,
        "worker_pid": os.getpid(),
        "tcp_port": tcp.sock.getsockname()[1],
        "host_ip": host_address(),
        "abstract_socket": abstract[1:],
        "unix_socket": str(unix_path),
        "limits": limits,
        # The sandbox's descriptor limit: its own, lowered to the worker's hard one
        # (the engine's runc does the same for docker).
        "open_files": within_own(resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES))[1],
    }
    time.sleep(0.1)  # the victim is running before anyone attacks it
    try:
        yield room
    finally:
        for listener in room.listeners:
            listener.close()
        room.victim.kill()
        room.victim.wait()
        for path in host_files:
            path.unlink(missing_ok=True)
        if env_before is None:
            os.environ.pop(SECRET_ENV, None)
        else:
            os.environ[SECRET_ENV] = env_before
