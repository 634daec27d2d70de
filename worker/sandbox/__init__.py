"""Sandboxes that run untrusted submissions: one contract, pluggable backends."""

from worker.sandbox.base import (
    Limits,
    SandboxBackend,
    SandboxResult,
    SandboxSpec,
    SandboxUnavailable,
    Status,
)
from worker.sandbox.registry import get_backend

__all__ = [
    "Limits",
    "SandboxBackend",
    "SandboxResult",
    "SandboxSpec",
    "SandboxUnavailable",
    "Status",
    "get_backend",
]
