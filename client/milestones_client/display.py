"""How the terminal shows the API's answers (rich): tables, a submission's
state and result, a dry run's end, and the live view of ``submit --wait`` and
``dry-run``."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

JSON = dict[str, Any]
LOG_LINES = 15


def state_line(submission: JSON) -> str:
    """ "#42 queued, 3 ahead" / "#42 running, 12 s of 60 s" / "#42 scored"."""
    words = f"#{submission['id']} {submission['state']}"
    position = submission.get("queue_position")
    if position is not None:
        words += ", next in the queue" if position == 0 else f", {position} ahead in the queue"
    elapsed, limit = submission.get("elapsed_seconds"), submission.get("wall_limit_seconds")
    if submission["state"] == "running" and elapsed is not None:
        words += f", {elapsed:.0f} s" + (f" of {limit} s" if limit else "")
    return words


def score_text(submission: JSON) -> str:
    scores = submission["scores"]
    better = "higher" if scores["direction"] == "higher" else "lower"
    text = f"score {scores['public']:.4f} ({scores['metric']}, public split; {better} is better)"
    if scores["private_shown"] and scores["private"] is not None:
        text += f", private split {scores['private']:.4f}"
    return text


def result(console: Console, submission: JSON) -> None:
    """The end of a submission: its score, or why it did not score."""
    if submission["state"] == "scored":
        console.print(f"[green]Scored[/]: {score_text(submission)}")
    else:
        reason = submission.get("failure_reason") or "no reason given"
        console.print(f"[red]{submission['state'].capitalize()}[/]: {reason}")
    resources = submission.get("resources") or {}
    if resources.get("wall_seconds") is not None:
        memory = resources.get("peak_memory_bytes")
        used = f"Ran {resources['wall_seconds']:.2f} s"
        if memory:
            used += f", peak memory {memory / 2**20:.0f} MiB"
        console.print(used, style="dim")
    warned = resources.get("warned_of")
    if warned and resources.get("sandbox_status") == "ok":
        limit = "CPU-time" if warned == "cpu" else "wall-clock"
        console.print(f"Cut short: stopped by the warning (SIGTERM) before the {limit} limit.")


def dry_run_result(console: Console, dry_run: JSON) -> None:
    """The end of a dry run: passed with its sample score, or why not; then its log."""
    if dry_run["state"] == "passed":
        score = dry_run.get("sample_score")
        checked = "Passed: the output has the right format"
        if score is not None:
            checked += (
                f"; sample score {score:.4f} ({dry_run['metric']} on "
                f"{dry_run['sample_items']} training items set aside: a check, not a result)"
            )
        console.print(f"[green]{checked}[/]")
    else:
        reason = dry_run.get("reason") or "no reason given"
        console.print(f"[red]{dry_run['state'].capitalize()}[/]: {reason}")
    if dry_run.get("wall_seconds") is not None:
        console.print(
            f"Ran {dry_run['wall_seconds']:.2f} s ({dry_run['cpu_seconds'] or 0:.2f} s of CPU)",
            style="dim",
        )
    if dry_run.get("log"):
        console.print("Log:", style="bold")
        console.print(dry_run["log"].rstrip("\n"), style="dim", markup=False)


def details(console: Console, submission: JSON) -> None:
    console.print(f"[bold]{state_line(submission)}[/] on {submission['challenge']}")
    console.print(f"uploaded {submission['created_at']} as {submission['original_name']}")
    if submission["state"] in ("scored", "failed", "error", "cancelled"):
        result(console, submission)
    if submission.get("selected"):
        console.print("marked as final")
    console.print(submission["page_url"], style="dim")


class LiveWatch:
    """``submit --wait``: on a terminal, one panel redrawn in place (the state,
    a bar of the time used against the limit, the log's last lines); elsewhere
    (a CI log, a pipe), one line per change of state."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._last_line = ""
        self._log = ""
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:.0f} s of {task.total:.0f} s"),
            console=console,
        )
        self._task = self._bar.add_task("time used", total=1)
        self._live: Live | None = None

    def __enter__(self) -> LiveWatch:
        if self.console.is_terminal:
            self._live = Live(Text(""), console=self.console, refresh_per_second=4)
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)

    def update(self, submission: JSON, log: str) -> None:
        self._log = log
        line = state_line(submission)
        if self._live is None:
            # Only the state, never the seconds, decides a new line off a terminal.
            key = f"{submission['state']}:{submission.get('queue_position')}"
            if key != self._last_line:
                self.console.print(line)
                self._last_line = key
            return
        limit, elapsed = submission.get("wall_limit_seconds"), submission.get("elapsed_seconds")
        if submission["state"] == "running" and limit:
            self._bar.update(self._task, total=limit, completed=min(elapsed or 0, limit))
        self._live.update(self._panel(line, submission["state"] == "running"), refresh=True)

    def _panel(self, line: str, running: bool) -> RenderableType:
        parts: list[RenderableType] = [Text(line, style="bold")]
        if running:
            parts.append(self._bar)
        if self._log:
            parts.append(Text("\n".join(self._log.splitlines()[-LOG_LINES:]), style="dim"))
        return Group(*parts)


def challenges_table(rows: list[JSON]) -> Table:
    table = Table("slug", "year", "title", "metric", "open")
    for row in rows:
        arrow = "↑" if row["direction"] == "higher" else "↓"
        is_open = "yes" if row["phase"]["accepting"] and row["data_ready"] else "no"
        table.add_row(
            row["slug"], str(row["year"]), row["title"], f"{row['metric']} {arrow}", is_open
        )
    return table


def board_table(board: JSON) -> Table:
    split = "private" if board["private"] else "public"
    table = Table("#", "participant", f"{split} score", "entries", title=board["title"])
    for row in board["rows"]:
        if row["is_baseline"]:
            table.add_row("", f"[italic]{row['baseline_name']}[/]", f"{row['score']:.4f}", "")
        else:
            table.add_row(
                str(row["rank"]), row["participant"], f"{row['score']:.4f}", str(row["entries"])
            )
    return table
