"""``Client``: the Milestones REST API as Python methods, for notebooks and for
the command line. Answers are the API's JSON, as dicts (see /api/docs/)."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from milestones_client.config import Credentials, load

JSON = dict[str, Any]
FINAL_STATES = frozenset({"scored", "failed", "error", "cancelled"})
DRY_RUN_FINAL_STATES = frozenset({"passed", "failed", "lost"})
SKIPPED_IN_FOLDERS = frozenset({"__pycache__", ".git", ".ipynb_checkpoints", ".venv"})


class ApiError(Exception):
    """The server refused a request; ``str(exc)`` is its reason."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return str(body["detail"])
    if isinstance(body, dict):  # a form's errors: {"field": ["why", ...]}
        return "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in body.items())
    return str(body)


def upload_of(path: Path) -> tuple[str, bytes]:
    """What to send for ``path``: a .py or .zip as it is, a folder zipped (its
    files at the zip's root, caches and hidden folders left out)."""
    if not path.is_dir():
        return path.name, path.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(path.rglob("*")):
            parts = file.relative_to(path).parts
            if file.is_file() and not any(p in SKIPPED_IN_FOLDERS for p in parts):
                archive.write(file, "/".join(parts))
    return f"{path.name or 'submission'}.zip", buffer.getvalue()


class Client:
    def __init__(
        self,
        server: str,
        token: str | None = None,
        *,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Token {token}"} if token else {}
        self.server = server.rstrip("/")
        self._http = httpx.Client(
            base_url=f"{self.server}/api/",
            headers=headers,
            timeout=timeout,
            transport=transport,
            follow_redirects=True,
        )

    @classmethod
    def from_config(cls, credentials: Credentials | None = None) -> Client:
        """The server and token ``milestones login`` saved (or the environment's)."""
        found = credentials or load()
        return cls(found.server, found.token)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self._http.request(method, path, **kwargs)
        if response.is_error:
            raise ApiError(response.status_code, _detail(response))
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._call(method, path, **kwargs).json()

    def _upload(self, path: str, upload: Path) -> JSON:
        """POST ``upload`` (see ``upload_of``) as the form field ``code``."""
        name, content = upload_of(upload)
        files = {"code": (name, content, "application/octet-stream")}
        result: JSON = self._json("POST", path, files=files)
        return result

    # --- who, and what there is ------------------------------------------------------

    def me(self) -> JSON:
        result: JSON = self._json("GET", "me/")
        return result

    def challenges(self) -> list[JSON]:
        result: list[JSON] = self._json("GET", "challenges/")
        return result

    def challenge(self, slug: str) -> JSON:
        result: JSON = self._json("GET", f"challenges/{slug}/")
        return result

    def download(self, slug: str, kind: str, folder: Path) -> Path:
        """Save the challenge's ``kind`` ("data" or "starter") zip into ``folder``."""
        target = folder / f"{slug}-{kind}.zip"
        with self._http.stream("GET", f"challenges/{slug}/{kind}/") as response:
            if response.is_error:
                response.read()
                raise ApiError(response.status_code, _detail(response))
            with target.open("wb") as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)
        return target

    # --- submissions -------------------------------------------------------------------

    def submit(self, slug: str, path: str | Path) -> JSON:
        """Upload main.py, a zip, or a folder (zipped here); returns the submission."""
        return self._upload(f"challenges/{slug}/submissions/", Path(path))

    def submission(self, submission_id: int) -> JSON:
        result: JSON = self._json("GET", f"submissions/{submission_id}/")
        return result

    def submissions(self, challenge: str | None = None) -> list[JSON]:
        """My submissions, newest first (every page)."""
        params = {"challenge": challenge} if challenge else {}
        found: list[JSON] = []
        page: JSON = self._json("GET", "submissions/", params=params)
        found += page["results"]
        while page.get("next"):
            page = self._json("GET", page["next"])
            found += page["results"]
        return found

    def log(self, submission_id: int, tail: int | None = None) -> str:
        """The log one may read: whole, or its last ``tail`` lines. Every log read
        of the client comes here, so a streamed log can replace the polling."""
        params = {"tail": tail} if tail is not None else {}
        result: JSON = self._json("GET", f"submissions/{submission_id}/log/", params=params)
        return str(result["text"])

    def mark_final(self, submission_id: int, selected: bool = True) -> JSON:
        body = {"selected": selected}
        result: JSON = self._json("POST", f"submissions/{submission_id}/final/", json=body)
        return result

    def cancel(self, submission_id: int) -> JSON:
        result: JSON = self._json("POST", f"submissions/{submission_id}/cancel/")
        return result

    def watch(self, submission_id: int, *, every: float = 1.0) -> Iterator[JSON]:
        """The submission, read again every ``every`` seconds until it is final
        (the last one yielded is final)."""
        return _poll(lambda: self.submission(submission_id), FINAL_STATES, every)

    def follow(self, submission_id: int, *, every: float = 1.0, tail: int = 15) -> Iterator[JSON]:
        """``watch``, each answer with ``log``: the last ``tail`` lines of the log
        (fetched by ``log``, once the run has started)."""
        for current in self.watch(submission_id, every=every):
            started = current["state"] not in ("pending", "queued")
            yield {**current, "log": self.log(submission_id, tail=tail) if started else ""}

    def wait(
        self,
        submission_id: int,
        *,
        every: float = 1.0,
        on_update: Callable[[JSON], None] | None = None,
    ) -> JSON:
        """Block until the submission is final; returns it."""
        current: JSON = {}
        for current in self.watch(submission_id, every=every):
            if on_update is not None:
                on_update(current)
        return current

    # --- dry runs ------------------------------------------------------------------------

    def start_dry_run(self, slug: str, path: str | Path) -> JSON:
        """Try main.py, a zip or a folder on the challenge's training sample for a few
        seconds (uncharged, unranked, seen by you only); returns the dry run."""
        return self._upload(f"challenges/{slug}/dry-runs/", Path(path))

    def dry_run(self, dry_run_id: int) -> JSON:
        """A dry run: its state, sample score, reason and whole log."""
        result: JSON = self._json("GET", f"dry-runs/{dry_run_id}/")
        return result

    def watch_dry_run(self, dry_run_id: int, *, every: float = 1.0) -> Iterator[JSON]:
        """``watch`` for a dry run: passed, failed or lost is its end."""
        return _poll(lambda: self.dry_run(dry_run_id), DRY_RUN_FINAL_STATES, every)

    # --- leaderboards -------------------------------------------------------------------

    def leaderboard(
        self, slug: str, *, private: bool = False, phase: int | None = None, page: int = 1
    ) -> JSON:
        params: dict[str, str | int] = {"board": "private" if private else "public", "page": page}
        if phase is not None:
            params["phase"] = phase
        result: JSON = self._json("GET", f"challenges/{slug}/leaderboard/", params=params)
        return result


def _poll(read: Callable[[], JSON], final: frozenset[str], every: float) -> Iterator[JSON]:
    """``read()`` every ``every`` seconds until its state is in ``final``."""
    while True:
        current = read()
        yield current
        if current["state"] in final:
            return
        time.sleep(every)
