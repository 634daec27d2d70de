from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from server.competitions.loading import challenges_load_all


class Command(BaseCommand):
    help = "Load (or update) every challenge bundle; idempotent, one bundle's error isolated."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--dir", type=Path, default=None, help="bundles folder")
        parser.add_argument("--force", action="store_true", help="prepare data again")

    def handle(self, *args: object, **options: object) -> None:
        root = options["dir"] or settings.CHALLENGES_DIR
        assert isinstance(root, Path)
        outcomes = challenges_load_all(root=root, force=bool(options["force"]))
        for outcome in outcomes:
            line = f"{outcome.action:>9}  {outcome.slug}"
            self.stdout.write(line + (f"  ({outcome.detail})" if outcome.detail else ""))
        if any(outcome.action == "failed" for outcome in outcomes):
            raise CommandError("some bundles failed to load (see above)")
