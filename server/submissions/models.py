from __future__ import annotations

from django.conf import settings
from django.db import models

from server import clock


def upload_path(instance: Submission, filename: str) -> str:
    # The stored name never comes from the user: only the kind of upload does.
    suffix = ".zip" if filename.lower().endswith(".zip") else ".py"
    return f"submissions/{instance.challenge_id}/{instance.user_id}/upload-{instance.token}{suffix}"


class Submission(models.Model):
    """One upload and its life: pending -> queued -> running -> scored | failed | error.

    Every transition is a conditional UPDATE on ``state`` (and ``attempt`` for a
    running one) whose row count decides who owns the change."""

    class State(models.TextChoices):
        PENDING = "pending"
        QUEUED = "queued"
        RUNNING = "running"
        SCORED = "scored"
        FAILED = "failed"  # the code's fault: final, charged
        ERROR = "error"  # the platform's fault after retries: never charged
        CANCELLED = "cancelled"

    FINAL_STATES = (State.SCORED, State.FAILED, State.ERROR, State.CANCELLED)
    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="submissions", on_delete=models.CASCADE
    )
    challenge = models.ForeignKey(
        "competitions.Challenge", related_name="submissions", on_delete=models.CASCADE
    )
    token = models.CharField(max_length=32, unique=True)
    upload = models.FileField(upload_to=upload_path, max_length=300)
    original_name = models.CharField(max_length=200)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    # The site's clock (server.clock), so the daily window and phases can be tested.
    created_at = models.DateTimeField(default=clock.now, db_index=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The lease of the worker running it: renewed by heartbeats; expired = re-run.
    attempt = models.PositiveIntegerField(default=0)
    platform_failures = models.PositiveIntegerField(default=0)
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    public_score = models.FloatField(null=True, blank=True)
    private_score = models.FloatField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)
    log_tail = models.TextField(blank=True)
    sandbox_status = models.CharField(max_length=32, blank=True)
    wall_seconds = models.FloatField(null=True, blank=True)
    cpu_seconds = models.FloatField(null=True, blank=True)
    peak_memory_bytes = models.BigIntegerField(null=True, blank=True)
    # Marked by its participant as one of their final submissions (private ranking).
    selected = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["challenge", "state"]),
            models.Index(fields=["user", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.challenge_id} by {self.user_id}: {self.state}"

    @property
    def is_final(self) -> bool:
        return self.state in self.FINAL_STATES
