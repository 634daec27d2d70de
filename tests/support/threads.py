"""Races in a test: one call per thread, all started before any is waited for."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable


def run_in_threads(
    target: Callable[..., object], arguments: Iterable[tuple[object, ...]], *, timeout: float
) -> None:
    """Call ``target(*args)`` for each ``args`` of ``arguments``, each in a thread of its
    own; start them all, then join each, waiting at most ``timeout`` seconds for it."""
    threads = [threading.Thread(target=target, args=args) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
