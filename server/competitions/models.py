from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.db import models


class Challenge(models.Model):
    class Runtime(models.TextChoices):
        NUMPY = "numpy", "Python + NumPy"
        TORCH = "torch", "Python + PyTorch"

    class Gpu(models.TextChoices):
        NONE = "none", "CPU only"
        OPTIONAL = "optional", "GPU when available"
        REQUIRED = "required", "GPU required"

    class BudgetPeriod(models.TextChoices):
        DAY = "day", "a rolling 24 hours"
        WEEK = "week", "a rolling 7 days"

    class DataStatus(models.TextChoices):
        READY = "ready", "ready"
        MISSING = "missing", "data not installed"
        # An uploaded bundle's first version, until a worker has prepared its data.
        PREPARING = "preparing", "being prepared"
        FAILED = "failed", "preparation failed"

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField()
    idea = models.CharField(max_length=300, blank=True)
    runtime = models.CharField(max_length=16, choices=Runtime.choices)
    gpu = models.CharField(max_length=16, choices=Gpu.choices, default=Gpu.NONE)
    entrypoint = models.CharField(max_length=100, default="main.py")
    limits = models.JSONField(default=dict)
    grading = models.JSONField(default=dict)
    description_html = models.TextField(blank=True)
    bundle_dir = models.CharField(max_length=500)
    bundle_hash = models.CharField(max_length=64, blank=True)
    # sha256 over the hidden files the grader reads (graders.artifacts): recorded
    # with every score, so a score says which grader gave it.
    grader_checksum = models.CharField(max_length=64, blank=True)
    # A score better than this is beyond what a real model reaches here: it is
    # held for an instructor's review ([review] plausible_best in challenge.toml).
    plausible_best = models.FloatField(null=True, blank=True)
    data_status = models.CharField(max_length=16, choices=DataStatus.choices)
    data_problem = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    is_published = models.BooleanField(default=True)
    # Competition rules an instructor sets; None means the site's default.
    daily_limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Submissions per participant in a rolling 24 hours (empty: the site default).",
    )
    max_final = models.PositiveSmallIntegerField(
        default=2, help_text="Submissions a participant may mark as final for the private ranking."
    )
    # Teams (server.teams): 1 means individual entries only.
    team_size = models.PositiveSmallIntegerField(
        default=1, help_text="Largest team allowed; 1: individual entries only."
    )
    # Teams form and merge until this moment (empty: until the last phase ends).
    teams_lock_at = models.DateTimeField(null=True, blank=True)
    # Compute budgets per entrant (a participant, or their team), over a rolling
    # period: runs past them are refused (server.submissions.compute).
    cpu_budget_seconds = models.PositiveIntegerField(null=True, blank=True)
    gpu_budget_seconds = models.PositiveIntegerField(null=True, blank=True)
    budget_period = models.CharField(
        max_length=8, choices=BudgetPeriod.choices, default=BudgetPeriod.WEEK
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "slug"]

    def __str__(self) -> str:
        return f"{self.year} — {self.title}"

    @property
    def data_dir(self) -> Path:
        return Path(settings.CHALLENGE_DATA_DIR) / self.slug

    @property
    def public_dir(self) -> Path:
        return self.data_dir / "public"

    @property
    def hidden_dir(self) -> Path:
        return self.data_dir / "hidden"

    @property
    def dry_run_dir(self) -> Path:
        """The training sample a dry run reads (``graders.dry_runs``), if prepared."""
        return self.data_dir / "dry_run"

    @property
    def offers_dry_run(self) -> bool:
        return (
            self.data_status == self.DataStatus.READY
            and (self.dry_run_dir / "hidden" / "labels.csv").is_file()
        )

    @property
    def direction(self) -> str:
        return str(self.grading.get("direction", "higher"))

    @property
    def metric(self) -> str:
        return str(self.grading.get("metric", ""))

    def listed_results(self) -> list[Baseline]:
        """The listed methods' results (bounds such as a Bayes rate left out): those
        measured on the boards' splits where any are, since a published number, on
        every test item, is not on either board's split."""
        results = [b for b in self.baselines.all() if not b.bound]  # prefetched by selectors
        return [b for b in results if not b.published] or results

    @property
    def baseline_to_beat(self) -> Baseline | None:
        """The best listed result, by its public score; of equal ones the later
        listed, the more recent history."""
        better_first = 1.0 if self.direction == "lower" else -1.0
        return min(
            reversed(self.listed_results()), key=lambda b: better_first * b.score, default=None
        )

    @property
    def reference_result(self) -> Baseline | None:
        """What the bundle's reference solution states it reaches: the last listed
        result (the milestone itself), which need not be the best one listed."""
        results = self.listed_results()
        return results[-1] if results else None

    @property
    def submissions_per_day(self) -> int:
        return self.daily_limit if self.daily_limit is not None else settings.SUBMISSIONS_PER_DAY

    @property
    def allows_teams(self) -> bool:
        return self.team_size > 1

    @property
    def budget_window(self) -> dt.timedelta:
        return dt.timedelta(days=7 if self.budget_period == self.BudgetPeriod.WEEK else 1)

    @property
    def has_budget(self) -> bool:
        return self.cpu_budget_seconds is not None or self.gpu_budget_seconds is not None


class Preparation(models.Model):
    """One uploaded bundle version on its way into its challenge: a worker runs its
    prepare.py in the sandbox (``worker.preparation``), installs the data and
    applies ``fields``; then its reference solution runs as a submission, and the
    challenge can be published only once that reached the stated result."""

    class State(models.TextChoices):
        STAGED = "staged"
        PREPARING = "preparing"
        CHECKING = "checking", "checking reference"
        READY = "ready"
        FAILED = "failed"

    FINAL_STATES = (State.READY, State.FAILED)

    challenge = models.ForeignKey(Challenge, related_name="preparations", on_delete=models.CASCADE)
    bundle_dir = models.CharField(max_length=500)
    bundle_hash = models.CharField(max_length=64)
    # The challenge's fields and baselines this version sets once its data is in.
    fields = models.JSONField(default=dict)
    baselines = models.JSONField(default=list)
    state = models.CharField(max_length=16, choices=State.choices, default=State.STAGED)
    reason = models.TextField(blank=True)
    log = models.TextField(blank=True)
    # The reference solution's run (a Submission's id; none without reference/).
    reference_submission_id = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["challenge", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.challenge_id} @ {self.bundle_hash[:12]}: {self.state}"

    @property
    def is_final(self) -> bool:
        return self.state in self.FINAL_STATES


class Baseline(models.Model):
    """A historical or reference result shown as a marked row on the leaderboard."""

    challenge = models.ForeignKey(Challenge, related_name="baselines", on_delete=models.CASCADE)
    name = models.CharField(max_length=200)
    # On the public board's split (or on every test item where no private score is given).
    score = models.FloatField()
    private_score = models.FloatField(null=True, blank=True)  # on the private split
    # A bound (the best any model can expect, a criterion's threshold), not a method's result.
    bound = models.BooleanField(default=False)
    # A number as its source published it, on every test item (so never per split),
    # rather than one the bundle's own code measured on this challenge's data.
    published = models.BooleanField(default=False)
    citation = models.CharField(max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["challenge", "position"]

    def score_on(self, *, private: bool) -> float:
        """The score the board of that split shows."""
        return self.private_score if private and self.private_score is not None else self.score

    def __str__(self) -> str:
        return f"{self.name}: {self.score}"


class Phase(models.Model):
    """A period in which submissions are accepted ("open practice", "graded").

    A phase's leaderboard ranks the submissions made during it; its private
    ranking is revealed to everyone once it has ended. A challenge without
    phases is always open and never reveals its private ranking."""

    challenge = models.ForeignKey(Challenge, related_name="phases", on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # Late submissions: accepted after the deadline until ``late_until`` (never,
    # when empty), each day late costing ``late_penalty_percent`` of the grade.
    late_until = models.DateTimeField(null=True, blank=True)
    late_penalty_percent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["challenge", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="phase_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(late_until__isnull=True)
                | models.Q(late_until__gt=models.F("ends_at")),
                name="phase_late_window_after_deadline",
            ),
            models.CheckConstraint(
                condition=models.Q(late_penalty_percent__lte=100), name="phase_penalty_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_at:%Y-%m-%d %H:%M} → {self.ends_at:%Y-%m-%d %H:%M})"

    def is_open_at(self, moment: dt.datetime) -> bool:
        return self.starts_at <= moment < self.ends_at

    def has_ended_at(self, moment: dt.datetime) -> bool:
        return moment >= self.ends_at

    @property
    def closes_at(self) -> dt.datetime:
        """When the last submission for this phase can arrive: its deadline, its
        late window's end, or the latest extension (read from the prefetch cache
        when loaded). Its private ranking is revealed then, not before: a late or
        extended participant must not learn private scores while they can still
        submit."""
        latest = max((e.ends_at for e in self.extensions.all()), default=self.ends_at)
        return max(self.ends_at, self.late_until or self.ends_at, latest)

    def has_closed_at(self, moment: dt.datetime) -> bool:
        return moment >= self.closes_at


class Disqualification(models.Model):
    """A participant hidden from a challenge's leaderboards; their submissions
    stay in the records. Deleting the row reinstates them."""

    challenge = models.ForeignKey(
        Challenge, related_name="disqualifications", on_delete=models.CASCADE
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="disqualifications", on_delete=models.CASCADE
    )
    reason = models.CharField(max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["challenge", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "user"], name="one_disqualification")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} disqualified from {self.challenge_id}"


class Extension(models.Model):
    """A later deadline for one participant or one team in one phase."""

    phase = models.ForeignKey(Phase, related_name="extensions", on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="extensions",
        on_delete=models.CASCADE,
    )
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, related_name="extensions", on_delete=models.CASCADE
    )
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["phase", "ends_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=True) ^ models.Q(team__isnull=True),
                name="extension_for_a_user_or_a_team",
            ),
            models.UniqueConstraint(fields=["phase", "user"], name="one_extension_per_user"),
            models.UniqueConstraint(fields=["phase", "team"], name="one_extension_per_team"),
        ]

    def __str__(self) -> str:
        whom = f"team {self.team_id}" if self.team_id else f"user {self.user_id}"
        return f"{whom}: {self.phase_id} until {self.ends_at:%Y-%m-%d %H:%M}"
