from __future__ import annotations

from django.conf import settings
from django.db import models

from server.site import clock


def upload_path(instance: Submission, filename: str) -> str:
    # The stored name never comes from the user: only the kind of upload does.
    suffix = ".zip" if filename.lower().endswith(".zip") else ".py"
    return f"submissions/{instance.challenge_id}/{instance.user_id}/upload-{instance.token}{suffix}"


class Submission(models.Model):
    """One upload and its life: pending -> queued -> running -> scored | held | failed | error.

    Every transition is a conditional UPDATE on ``state`` (and ``attempt`` for a
    running one) whose row count decides who owns the change, all of them in
    ``server.submissions.lifecycle``."""

    class State(models.TextChoices):
        PENDING = "pending"
        QUEUED = "queued"
        RUNNING = "running"
        SCORED = "scored"
        # Scored, but off the boards until an instructor reviews it: its upload
        # holds hidden data, or its score is beyond what is plausible here.
        HELD = "held", "held for review"
        FAILED = "failed"  # the code's fault: final, charged
        ERROR = "error"  # the platform's fault after retries: never charged
        CANCELLED = "cancelled"

    FINAL_STATES = (State.SCORED, State.HELD, State.FAILED, State.ERROR, State.CANCELLED)
    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="submissions", on_delete=models.CASCADE
    )
    challenge = models.ForeignKey(
        "competitions.Challenge", related_name="submissions", on_delete=models.CASCADE
    )
    # Its author's team on the challenge, when they are in one: the team is the
    # entrant its limits, budget and boards count it for (server.submissions.entrants).
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, related_name="submissions", on_delete=models.PROTECT
    )
    # The phase it was accepted for, and how many days (started) after its
    # author's deadline it came: 0 for on time (extensions included).
    phase = models.ForeignKey(
        "competitions.Phase",
        null=True,
        blank=True,
        related_name="submissions",
        on_delete=models.SET_NULL,
    )
    late_days = models.PositiveSmallIntegerField(default=0)
    token = models.CharField(max_length=32, unique=True)
    upload = models.FileField(upload_to=upload_path, max_length=300)
    original_name = models.CharField(max_length=200)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    # The site's clock (server.site.clock), so the daily window and phases can be tested.
    created_at = models.DateTimeField(default=clock.now, db_index=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    # The Celery queue it was sent to: its device and lane (worker.queues).
    queue = models.CharField(max_length=32, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The lease of the worker running it: renewed by heartbeats; expired = re-run.
    attempt = models.PositiveIntegerField(default=0)
    platform_failures = models.PositiveIntegerField(default=0)
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    public_score = models.FloatField(null=True, blank=True)
    private_score = models.FloatField(null=True, blank=True)
    # Each score's 95% bootstrap interval over its split's items (graders.bootstrap).
    public_low = models.FloatField(null=True, blank=True)
    public_high = models.FloatField(null=True, blank=True)
    private_low = models.FloatField(null=True, blank=True)
    private_high = models.FloatField(null=True, blank=True)
    # Why the submission is held for review (the matched hidden data, the bound).
    hold_reason = models.TextField(blank=True)
    # The run's MILESTONES_SEED, kept across rescoring, and what it ran on
    # (runtime and versions, CPU, GPU, bundle hash, grader artifact checksum).
    seed = models.PositiveIntegerField(default=0)
    ran_on = models.JSONField(default=dict, blank=True)
    failure_reason = models.TextField(blank=True)
    log_tail = models.TextField(blank=True)
    # An interactive run that received a query has seen hidden data: what it did
    # after (its log, exit, resources, timing) is sealed from its author while the
    # phase is open (server.submissions.viewing); the log as it stood before its
    # first query is what they see then.
    sealed = models.BooleanField(default=False)
    log_before_queries = models.TextField(blank=True)
    # Its progress and training curves, read from the progress lines it printed
    # (graders.readers.progress_lines): {"progress": p, "series": {name: [[x, y], ...]}}.
    curves = models.JSONField(default=dict, blank=True)
    sandbox_status = models.CharField(max_length=32, blank=True)
    wall_seconds = models.FloatField(null=True, blank=True)
    cpu_seconds = models.FloatField(null=True, blank=True)
    # Wall seconds with a GPU held (0 for a CPU run): what GPU budgets count.
    gpu_seconds = models.FloatField(null=True, blank=True)
    peak_memory_bytes = models.BigIntegerField(null=True, blank=True)
    # The time limit the program was warned of (SIGTERM a little before it:
    # worker/sandbox/warning.py): "wall" or "cpu"; empty when it was not.
    warned_of = models.CharField(max_length=8, blank=True)
    # Marked by its participant as one of their final submissions (private ranking).
    selected = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["challenge", "state"]),
            models.Index(fields=["user", "created_at"]),
            models.Index(fields=["team", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.challenge_id} by {self.user_id}: {self.state}"

    @property
    def is_final(self) -> bool:
        return self.state in self.FINAL_STATES

    @property
    def has_scores(self) -> bool:
        return self.state in (self.State.SCORED, self.State.HELD)

    @property
    def public_interval(self) -> tuple[float, float] | None:
        if self.public_low is None or self.public_high is None:
            return None
        return (self.public_low, self.public_high)

    @property
    def private_interval(self) -> tuple[float, float] | None:
        if self.private_low is None or self.private_high is None:
            return None
        return (self.private_low, self.private_high)


class RegradeRequest(models.Model):
    """A participant asks, in a sentence, for a submission to be looked at again;
    an instructor answers or rescores."""

    class State(models.TextChoices):
        OPEN = "open"
        ANSWERED = "answered"
        RESCORED = "rescored"

    submission = models.ForeignKey(
        Submission, related_name="regrade_requests", on_delete=models.CASCADE
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="regrade_requests", on_delete=models.CASCADE
    )
    text = models.CharField(max_length=1000)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=clock.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"regrade of #{self.submission_id}: {self.state}"
