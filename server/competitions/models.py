from __future__ import annotations

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
