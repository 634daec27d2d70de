"""Plain-words reasons for a failed run, decided from what the sandbox observed."""

from __future__ import annotations

import signal

from worker.sandbox import Limits, SandboxResult, Status, warning

MiB = 1024 * 1024


def failure_reason(result: SandboxResult, limits: Limits) -> str:
    return _why(result, limits) + _warning_note(result, limits)


def _why(result: SandboxResult, limits: Limits) -> str:
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
    """Which limit stopped it, and where the other stood then."""
    hit = result.limit_hit or _guessed_limit(result, limits)
    if hit == warning.CPU:
        return (
            f"Your program was stopped at its CPU-time limit of {limits.cpu_seconds:g} s, "
            f"after {result.wall_seconds:.1f} s of wall time ({result.cpu_seconds:.1f} s of CPU)."
        )
    return (
        f"Your program was stopped at its wall-clock time limit of {limits.wall_seconds:g} s, "
        f"after {result.wall_seconds:.1f} s of wall time and {result.cpu_seconds:.1f} s of CPU."
    )


def _guessed_limit(result: SandboxResult, limits: Limits) -> warning.Limit:
    """For a result that does not say (a backend's older result)."""
    return warning.CPU if result.cpu_seconds >= limits.cpu_seconds * 0.99 else warning.WALL


def _warning_note(result: SandboxResult, limits: Limits) -> str:
    """What the warning before the limit did, or that it exists."""
    if result.warned_of is not None:
        name, limit = _limit_named(result.warned_of, limits)
        still = ", and was still running at the limit" if result.status is Status.TIME_LIMIT else ""
        return (
            f" It had been sent the warning, SIGTERM, {warning.margin(limit):g} s before its "
            f"{name} limit{still}."
        )
    if result.status is Status.TIME_LIMIT:
        name, limit = _limit_named(result.limit_hit or _guessed_limit(result, limits), limits)
        return (
            f" A program that catches SIGTERM is sent it {warning.margin(limit):g} s before the "
            f"{name} limit, to write what it has and end: see the challenge page."
        )
    return ""


def _limit_named(which: warning.Limit, limits: Limits) -> tuple[str, float]:
    if which == warning.CPU:
        return "CPU-time", limits.cpu_seconds
    return "wall-clock time", limits.wall_seconds


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)
