"""A dry run: a program run briefly on a challenge's training sample, to check its
output before a real submission (``graders.dry_runs`` says where the sample comes
from). Uncharged and never ranked, so it is not a ``Submission``: it has no phase,
no boards, no allowance, and its log holds nothing hidden, so it is shown whole.

queued -> running -> passed | failed; each move a guarded UPDATE (``claim``,
``finish``) whose row count decides who owns it. A worker that dies mid-run
leaves it running: the page calls it lost after ``LOST_AFTER``, and the student
starts another (it costs nothing)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from server.site import clock

LOST_AFTER = dt.timedelta(minutes=5)
LOST_REASON = "The worker running it went away. Start another: it costs nothing."


def upload_path(instance: DryRun, filename: str) -> str:
    suffix = ".zip" if filename.lower().endswith(".zip") else ".py"
    return f"dry-runs/{instance.challenge_id}/{instance.user_id}/upload-{instance.token}{suffix}"


class DryRun(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        PASSED = "passed"
        FAILED = "failed"

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="dry_runs", on_delete=models.CASCADE
    )
    challenge = models.ForeignKey(
        "competitions.Challenge", related_name="dry_runs", on_delete=models.CASCADE
    )
    token = models.CharField(max_length=32, unique=True)
    upload = models.FileField(upload_to=upload_path, max_length=300)
    original_name = models.CharField(max_length=200)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField(default=clock.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)  # why it failed, in the student's words
    log = models.TextField(blank=True)  # its head and its end, as the sandbox keeps them
    # The grader's score on the set-aside training items: a check, not a result.
    sample_score = models.FloatField(null=True, blank=True)
    sample_items = models.PositiveIntegerField(null=True, blank=True)
    wall_seconds = models.FloatField(null=True, blank=True)
    cpu_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"dry run #{self.pk} ({self.state})"

    @property
    def is_final(self) -> bool:
        return self.state in (self.State.PASSED, self.State.FAILED)

    @property
    def is_lost(self) -> bool:
        """Running (or queued) for so long that its worker must have gone."""
        return not self.is_final and clock.now() - self.created_at > LOST_AFTER

    @property
    def lost_reason(self) -> str:
        return LOST_REASON

    @classmethod
    def claim(cls, dry_run_id: int) -> bool:
        """queued -> running; False when another worker has it, or it is gone."""
        moved = cls.objects.filter(pk=dry_run_id, state=cls.State.QUEUED).update(
            state=cls.State.RUNNING, started_at=clock.now()
        )
        return moved == 1

    @classmethod
    def finish(cls, dry_run_id: int, *, passed: bool, **facts: object) -> bool:
        """running -> passed | failed, with what it used and said."""
        state = cls.State.PASSED if passed else cls.State.FAILED
        moved = cls.objects.filter(pk=dry_run_id, state=cls.State.RUNNING).update(
            state=state, finished_at=clock.now(), **facts
        )
        return moved == 1
