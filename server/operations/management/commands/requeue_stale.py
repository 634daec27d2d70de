"""Run the reaper once, now: what beat does every REAPER_EVERY_SECONDS.

    python manage.py requeue_stale

Idempotent; safe beside a running beat (every move is a conditional UPDATE)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from worker import api as worker_api


class Command(BaseCommand):
    help = "Re-queue expired leases, resend lost messages, dispatch pending submissions."

    def handle(self, *args: Any, **options: Any) -> None:
        worker_api.reap_now()
        self.stdout.write("reaped")
