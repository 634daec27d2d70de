from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from graders.datasets import CATALOG
from server.bundles.datasets import (
    FetchOutcome,
    datasets_fetch,
    mirrors_in_datasets_layout,
)


class Command(BaseCommand):
    help = (
        "Install the raw datasets (MNIST, Tiny Shakespeare) into the datasets folder, "
        "checking every file against its published checksum; idempotent, one file's "
        "error isolated."
    )

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--dataset",
            action="append",
            choices=sorted(CATALOG),
            help="only this dataset (repeatable; default: all)",
        )
        sources = parser.add_mutually_exclusive_group()
        sources.add_argument(
            "--from",
            dest="from_dir",
            type=Path,
            default=None,
            help="copy from a local folder laid out like the datasets folder",
        )
        sources.add_argument(
            "--mirror",
            action="append",
            default=None,
            metavar="URL",
            help="a base URL laid out like the datasets folder (URL/mnist/...), "
            "tried in place of the canonical mirrors (repeatable)",
        )
        parser.add_argument(
            "--dir",
            type=Path,
            default=None,
            help="the datasets folder (default: MILESTONES_DATASETS_DIR)",
        )

    def handle(self, *args: object, **options: object) -> None:
        target = options["dir"] or Path(settings.DATASETS_DIR)
        assert isinstance(target, Path)
        bases = options["mirror"]
        from_dir = options["from_dir"]
        if isinstance(from_dir, Path) and not from_dir.is_dir():
            raise CommandError(f"--from {from_dir}: no such folder")
        self.stdout.write(f"datasets folder: {target}")
        outcomes = datasets_fetch(
            datasets_dir=target,
            datasets=options["dataset"],  # type: ignore[arg-type]
            mirrors=mirrors_in_datasets_layout(bases) if isinstance(bases, list) else None,
            from_dir=from_dir if isinstance(from_dir, Path) else None,
            on_outcome=self._report,
        )
        failed = [outcome for outcome in outcomes if outcome.action == "failed"]
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(outcomes)} files could not be installed (see above). "
                "Run it again once the cause is fixed, or fetch the files on another machine "
                "and install them from a folder with --from DIR."
            )
        self.stdout.write("All datasets are installed; run manage.py load_challenges to use them.")

    def _report(self, outcome: FetchOutcome) -> None:
        line = f"{outcome.action:>8}  {outcome.path}"
        self.stdout.write(line + (f"  ({outcome.detail})" if outcome.detail else ""))
