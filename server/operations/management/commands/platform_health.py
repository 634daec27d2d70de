"""The deployment's health checks, as an exit status (0 healthy, 1 not).

python manage.py platform_health                  # database and Redis answer
python manage.py platform_health --worker cpu@h1  # and that worker beats
python manage.py platform_health --reaper         # and the reaper ran lately
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from server.operations.health import platform_problems, reaper_problems, worker_problems


class Command(BaseCommand):
    help = "Exit 0 when the platform (and the named worker, or the reaper) is healthy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--worker", default="", help="a worker's name, e.g. cpu@HOSTNAME")
        parser.add_argument("--reaper", action="store_true", help="check the reaper ran lately")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = platform_problems()
        if options["worker"]:
            problems += worker_problems(options["worker"])
        if options["reaper"]:
            problems += reaper_problems()
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write("healthy")
