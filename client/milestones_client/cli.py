"""``milestones``: the command line over ``Client``. Exit codes: 0 done (for
``submit --wait``: scored; for ``dry-run``: passed), 1 the submission did not
score (or the dry run did not pass), 2 refused (by the server, or not logged in)."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx
from rich.console import Console

from milestones_client import display
from milestones_client.client import ApiError, Client
from milestones_client.config import Credentials, NotLoggedIn, load, save

DID_NOT_SCORE, REFUSED = 1, 2
console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


def login(args: argparse.Namespace) -> int:
    server = args.server or _saved_server()
    if not server:
        errors.print("Give the server: milestones login --server https://…")
        return REFUSED
    token = args.token or getpass.getpass(f"Token (make one at {server}/accounts/profile/): ")
    me = Client(server, token.strip()).me()
    path = save(Credentials(server=server.rstrip("/"), token=token.strip()))
    about = me.get("token") or {}
    expiry = f", expires {about['expiry'][:10]}" if about.get("expiry") else ""
    console.print(f"Logged in to {server} as [bold]{me['username']}[/]{expiry}.")
    console.print(f"Saved in {path}", style="dim")
    return 0


def _saved_server() -> str:
    try:
        return load().server
    except NotLoggedIn:
        return ""


def challenges(client: Client, args: argparse.Namespace) -> int:
    console.print(display.challenges_table(client.challenges()))
    return 0


def download(client: Client, args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    for kind in ("data", "starter"):
        console.print(f"Saved {client.download(args.slug, kind, folder)}")
    return 0


def submit(client: Client, args: argparse.Namespace) -> int:
    submission = client.submit(args.slug, args.path)
    console.print(f"Submitted #{submission['id']}: {submission['page_url']}")
    if not args.wait:
        return 0
    current = submission
    with display.LiveWatch(console) as watch:
        for current in client.follow(submission["id"], every=args.every, tail=display.LOG_LINES):
            watch.update(current, current["log"])
    if current["state"] != "scored" and current["log"]:
        # Why it failed is in its log: show the end of it.
        console.print(current["log"], style="dim", markup=False)
    display.result(console, current)
    return 0 if current["state"] == "scored" else DID_NOT_SCORE


def dry_run(client: Client, args: argparse.Namespace) -> int:
    """Its own command, not a flag of ``submit``: a dry run is not a submission (its
    own ids, no score, no charge), and it always ends within seconds, so it is
    always followed to its end."""
    started = client.start_dry_run(args.slug, args.path)
    console.print(f"Dry run #{started['id']}: {started['page_url']}")
    current = started
    with display.LiveWatch(console) as watch:
        for current in client.watch_dry_run(started["id"], every=args.every):
            watch.update(current, "")  # its log comes whole at its end
    display.dry_run_result(console, current)
    return 0 if current["state"] == "passed" else DID_NOT_SCORE


def status(client: Client, args: argparse.Namespace) -> int:
    display.details(console, client.submission(args.id))
    return 0


def log(client: Client, args: argparse.Namespace) -> int:
    text = client.log(args.id, tail=args.tail)
    console.print(text or "(no output)", markup=False, highlight=False)
    return 0


def leaderboard(client: Client, args: argparse.Namespace) -> int:
    board = client.leaderboard(args.slug, private=args.private, phase=args.phase)
    console.print(display.board_table(board))
    if board["pages"] > 1:
        console.print(f"First {len(board['rows'])} of {board['count']} rows.", style="dim")
    return 0


def final(client: Client, args: argparse.Namespace) -> int:
    submission = client.mark_final(args.id, selected=not args.unmark)
    word = "marked as final" if submission["selected"] else "no longer marked as final"
    console.print(f"#{submission['id']} {word}.")
    return 0


Command = Callable[[Client, argparse.Namespace], int]


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="milestones", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)
    it = commands.add_parser("login", help="save the server and a personal token")
    it.add_argument("--server", help="the site's address, e.g. https://milestones.example.org")
    it.add_argument("--token", help="a token from your profile page (asked for if not given)")
    it.set_defaults(run=None)
    commands.add_parser("challenges", help="list the challenges").set_defaults(run=challenges)
    it = commands.add_parser("download", help="download a challenge's data and starter kit")
    it.add_argument("slug")
    it.add_argument("--dir", default=".", help="where to save the zips (default: here)")
    it.set_defaults(run=download)
    it = commands.add_parser("submit", help="submit main.py, a .zip or a folder")
    it.add_argument("slug")
    it.add_argument("path")
    it.add_argument("--wait", action="store_true", help="follow it until it ends")
    it.add_argument("--every", type=float, default=1.0, help=argparse.SUPPRESS)
    it.set_defaults(run=submit)
    it = commands.add_parser(
        "dry-run",
        help="try main.py, a .zip or a folder on a training sample for a few seconds "
        "(uncharged, unranked, seen by you only) and wait for the result",
    )
    it.add_argument("slug")
    it.add_argument("path")
    it.add_argument("--every", type=float, default=1.0, help=argparse.SUPPRESS)
    it.set_defaults(run=dry_run)
    it = commands.add_parser("status", help="a submission's state and score")
    it.add_argument("id", type=int)
    it.set_defaults(run=status)
    it = commands.add_parser("log", help="a submission's log")
    it.add_argument("id", type=int)
    it.add_argument("--tail", type=int, help="only the last N lines")
    it.set_defaults(run=log)
    it = commands.add_parser("leaderboard", help="a challenge's leaderboard")
    it.add_argument("slug")
    it.add_argument("--private", action="store_true", help="the private board, once revealed")
    it.add_argument("--phase", type=int, help="a phase's id (default: the current one)")
    it.set_defaults(run=leaderboard)
    it = commands.add_parser("final", help="mark a submission as final")
    it.add_argument("id", type=int)
    it.add_argument("--unmark", action="store_true", help="take the mark back")
    it.set_defaults(run=final)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.run is None:
            return login(args)
        run: Command = args.run
        with Client.from_config() as client:
            return run(client, args)
    except (ApiError, NotLoggedIn) as exc:
        errors.print(f"[red]Refused[/]: {exc}", markup=True)
        return REFUSED
    except (OSError, httpx.HTTPError) as exc:  # no such file; a server that does not answer
        errors.print(f"[red]Error[/]: {exc}")
        return REFUSED


if __name__ == "__main__":
    sys.exit(main())
