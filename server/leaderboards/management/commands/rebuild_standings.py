"""Recompute every challenge's standings and record lines from its submissions
(after rows were changed by hand, or to check them: --check reports the
challenges whose kept standings differ and changes nothing)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from server.competitions.models import Challenge
from server.leaderboards import standings


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", help="only these challenges")
        parser.add_argument("--check", action="store_true", help="compare, change nothing")

    def handle(self, *args: Any, slugs: list[str], check: bool, **options: Any) -> None:
        challenges = Challenge.objects.prefetch_related("phases").order_by("slug")
        if slugs:
            challenges = challenges.filter(slug__in=slugs)
        stale = []
        for challenge in challenges:
            if check:
                if not standings.agrees(challenge=challenge):
                    stale.append(challenge.slug)
                continue
            count = standings.rebuild(challenge=challenge)
            self.stdout.write(f"{challenge.slug}: {count} standings")
        if check:
            self.stdout.write("stale: " + (", ".join(stale) if stale else "none"))
            if stale:
                raise SystemExit(1)
