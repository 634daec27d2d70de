"""A stand-in for the server's API in the client's unit tests: answers from a
table, and remembers every request (the real stack is test_against_the_stack.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from milestones_client import Client

Answer = tuple[int, Any] | Callable[[httpx.Request], tuple[int, Any]]


class FakeApi:
    def __init__(self, answers: dict[tuple[str, str], Answer]) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.get((request.method, request.url.path))
        if answer is None:
            return httpx.Response(404, json={"detail": "No such endpoint."})
        status, body = answer(request) if callable(answer) else answer
        if isinstance(body, bytes):
            return httpx.Response(status, content=body)
        return httpx.Response(status, content=json.dumps(body).encode())

    def client(self, token: str = "mst_secret") -> Client:
        return Client("http://site.test", token, transport=httpx.MockTransport(self))


def submission(state: str, **fields: Any) -> dict[str, Any]:
    """A submission as the API renders it."""
    return {
        "id": 7,
        "challenge": "1986-xor-backprop",
        "participant": "ada",
        "original_name": "main.py",
        "state": state,
        "is_final": state in ("scored", "failed", "error", "cancelled"),
        "scores": {
            "public": 0.97 if state == "scored" else None,
            "private": None,
            "private_shown": False,
            "metric": "accuracy",
            "direction": "higher",
        },
        "failure_reason": "",
        "selected": False,
        "created_at": "2026-11-24T06:00:00Z",
        "page_url": "http://site.test/submissions/7/",
        "queue_position": None,
        "elapsed_seconds": None,
        "wall_limit_seconds": 60,
        "resources": {"wall_seconds": None, "peak_memory_bytes": None},
        "log_tail": "",
        **fields,
    }


def dry_run(state: str, **fields: Any) -> dict[str, Any]:
    """A dry run as the API renders it."""
    return {
        "id": 3,
        "challenge": "1986-xor-backprop",
        "original_name": "main.py",
        "state": state,
        "is_final": state in ("passed", "failed", "lost"),
        "reason": "",
        "sample_score": None,
        "sample_items": None,
        "metric": "accuracy",
        "direction": "higher",
        "wall_seconds": None,
        "cpu_seconds": None,
        "elapsed_seconds": None,
        "wall_limit_seconds": 20,
        "log": "",
        "created_at": "2026-11-24T06:00:00Z",
        "started_at": None,
        "finished_at": None,
        "page_url": "http://site.test/dry-runs/3/",
        **fields,
    }
