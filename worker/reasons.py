"""Plain-words reasons for a failed run, decided from what the sandbox observed."""

from __future__ import annotations

import signal

from worker.sandbox import Limits, SandboxResult, Status

MiB = 1024 * 1024


def failure_reason(result: SandboxResult, limits: Limits) -> str:
    if result.status is Status.TIME_LIMIT:
        return (
            f"Your program ran past the time limit ({limits.wall_seconds:g} s of wall time, "
            f"{limits.cpu_seconds:g} s of CPU) and was stopped."
        )
    if result.status is Status.MEMORY_LIMIT:
        return f"Your program used more than {limits.memory_bytes // MiB} MB of memory and was stopped."
    if result.status is Status.OUTPUT_LIMIT:
        return f"Your program wrote more than {limits.output_bytes // MiB} MB to /output and was stopped."
    if result.signal is not None:
        return (
            f"Your program was killed by signal {_signal_name(result.signal)} (see the log below)."
        )
    return f"Your program exited with code {result.exit_code} (see the log below)."


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)
