from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

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

    class DataStatus(models.TextChoices):
        READY = "ready", "ready"
        MISSING = "missing", "data not installed"

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
    def queue(self) -> str:
        return "cpu" if self.gpu == self.Gpu.NONE else "gpu"

    @property
    def direction(self) -> str:
        return str(self.grading.get("direction", "higher"))

    @property
    def metric(self) -> str:
        return str(self.grading.get("metric", ""))

    @property
    def baseline_to_beat(self) -> Baseline | None:
        """The historical result the challenge is about: the last baseline listed."""
        baselines = list(self.baselines.all())  # prefetched by the selectors
        return baselines[-1] if baselines else None

    def limit(self, name: str) -> Any:
        return self.limits.get(name)

    @property
    def submissions_per_day(self) -> int:
        return self.daily_limit if self.daily_limit is not None else settings.SUBMISSIONS_PER_DAY


class Baseline(models.Model):
    """A historical or reference result shown as a marked row on the leaderboard."""

    challenge = models.ForeignKey(Challenge, related_name="baselines", on_delete=models.CASCADE)
    name = models.CharField(max_length=200)
    score = models.FloatField()
    citation = models.CharField(max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["challenge", "position"]

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

    class Meta:
        ordering = ["challenge", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="phase_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_at:%Y-%m-%d %H:%M} → {self.ends_at:%Y-%m-%d %H:%M})"

    def is_open_at(self, moment: dt.datetime) -> bool:
        return self.starts_at <= moment < self.ends_at

    def has_ended_at(self, moment: dt.datetime) -> bool:
        return moment >= self.ends_at


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
