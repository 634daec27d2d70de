"""Plain-words reasons for a failed run, decided from what the sandbox observed."""

from __future__ import annotations

import signal

from worker.sandbox import Limits, SandboxResult, Status

MiB = 1024 * 1024


def failure_reason(result: SandboxResult, limits: Limits) -> str:
    if result.status is Status.TIME_LIMIT:
        return _time_limit(result, limits)
    if result.status is Status.MEMORY_LIMIT:
        return f"Your program used more than {limits.memory_bytes // MiB} MB of memory and was stopped."
    if result.status is Status.OUTPUT_LIMIT:
        return f"Your program wrote more than {limits.output_bytes // MiB} MB to /output and was stopped."
    if result.signal is not None:
        return (
            f"Your program was killed by signal {_signal_name(result.signal)} (see the log below)."
        )
    return f"Your program exited with code {result.exit_code} (see the log below)."


def _time_limit(result: SandboxResult, limits: Limits) -> str:
    """Which limit it hit, and where the other stood then."""
    used = f"after {result.wall_seconds:.1f} s of wall time and {result.cpu_seconds:.1f} s of CPU"
    if result.cpu_seconds >= limits.cpu_seconds * 0.99:
        which = f"its CPU time limit ({limits.cpu_seconds:g} s)"
    else:
        which = f"its wall-clock time limit ({limits.wall_seconds:g} s)"
    return f"Your program ran past the time limit: it reached {which} {used}, and was stopped."


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)
