"""Settings whose values must agree with limits set elsewhere."""

from __future__ import annotations

from django.conf import settings

from server.bundles.bundle import LIMITS
from worker.tasks import HARD_LIMIT_SECONDS, run_submission


def test_the_broker_never_redelivers_a_task_while_its_run_may_still_be_going():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    longest_run = max(LIMITS["wall_seconds"][1], LIMITS["cpu_seconds"][1])
    assert run_submission.time_limit == HARD_LIMIT_SECONDS > longest_run
    assert visibility > HARD_LIMIT_SECONDS
