"""What the API renders. Serializers here only read: every value comes from a
model row or from a selector's answer (``SubmissionView``, ``Board``), so a rule
lives in the selector and a new field of a submission is added once, here, for
every endpoint that shows a submission."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from server.bundles.bundle import LIMITS
from server.competitions.downloads import download_path
from server.competitions.models import Challenge
from server.competitions.selectors import phase_state
from server.dry_runs.models import LOST_REASON, DryRun
from server.site import clock
from server.submissions.models import Submission
from server.submissions.viewing import SubmissionView


def _absolute(context: Mapping[str, Any], name: str, *args: object) -> str:
    return str(context["request"].build_absolute_uri(reverse(name, args=args)))


# --- challenges -----------------------------------------------------------------------

LimitsSerializer = type(
    "LimitsSerializer",
    (serializers.Serializer,),
    {name: serializers.IntegerField() for name in LIMITS},
)


class BaselineSerializer(serializers.Serializer):
    name = serializers.CharField()
    score = serializers.FloatField(
        help_text="On the public split (every test item if no private score)."
    )
    private_score = serializers.FloatField(allow_null=True, help_text="On the private split.")
    bound = serializers.BooleanField(
        help_text="A bound (e.g. the Bayes rate), not a method's result."
    )
    published = serializers.BooleanField(
        help_text="As its source published it, on every test item: no private score."
    )
    citation = serializers.CharField()


class PhaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class PhaseStateSerializer(serializers.Serializer):
    accepting = serializers.BooleanField(help_text="Whether submissions are accepted now.")
    closed_reason = serializers.CharField(help_text="Why not, and when they open again.")
    current = PhaseSerializer(allow_null=True)
    upcoming = PhaseSerializer(allow_null=True)
    deadline = serializers.DateTimeField(allow_null=True)


class ChallengeSummarySerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    year = serializers.IntegerField()
    idea = serializers.CharField()
    runtime = serializers.ChoiceField(choices=Challenge.Runtime.choices)
    gpu = serializers.ChoiceField(choices=Challenge.Gpu.choices)
    metric = serializers.CharField()
    direction = serializers.ChoiceField(choices=["higher", "lower"])
    data_ready = serializers.SerializerMethodField()
    phase = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    def get_data_ready(self, challenge: Challenge) -> bool:
        return challenge.data_status == Challenge.DataStatus.READY

    @extend_schema_field(PhaseStateSerializer)
    def get_phase(self, challenge: Challenge) -> dict[str, Any]:
        return dict(PhaseStateSerializer(phase_state(challenge=challenge)).data)

    def get_page_url(self, challenge: Challenge) -> str:
        return _absolute(self.context, "challenge", challenge.slug)


class ChallengeSerializer(ChallengeSummarySerializer):
    entrypoint = serializers.CharField()
    limits = LimitsSerializer()
    submissions_per_day = serializers.IntegerField()
    max_final = serializers.IntegerField(help_text="Submissions one may mark as final.")
    baselines = BaselineSerializer(many=True, source="baselines.all")
    phases = PhaseSerializer(many=True, source="phases.all")
    data_url = serializers.SerializerMethodField(help_text="null while the data is not installed.")
    starter_url = serializers.SerializerMethodField()
    offers_dry_run = serializers.BooleanField(
        help_text="Whether a program may be tried on a training sample first (a dry run)."
    )

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_data_url(self, challenge: Challenge) -> str | None:
        return self._download_url(challenge, "data")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_starter_url(self, challenge: Challenge) -> str | None:
        return self._download_url(challenge, "starter")

    def _download_url(self, challenge: Challenge, kind: str) -> str | None:
        if download_path(challenge=challenge, kind=kind) is None:
            return None
        return _absolute(self.context, f"api:challenge-{kind}", challenge.slug)


class AllowanceSerializer(serializers.Serializer):
    limit = serializers.IntegerField()
    used = serializers.IntegerField()
    remaining = serializers.IntegerField()
    next_free_at = serializers.DateTimeField(allow_null=True)


class TeamSerializer(serializers.Serializer):
    name = serializers.CharField(source="team.name")
    members = serializers.ListField(child=serializers.CharField())
    code = serializers.CharField(source="team.code", help_text="Others join with it.")


class BudgetSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="The rolling period the budget covers.")
    cpu_used = serializers.FloatField()
    cpu_limit = serializers.IntegerField(allow_null=True, help_text="null: no CPU budget.")
    gpu_used = serializers.FloatField()
    gpu_limit = serializers.IntegerField(allow_null=True, help_text="null: no GPU budget.")
    frees_at = serializers.DateTimeField(
        allow_null=True, help_text="When the oldest charged run leaves the period."
    )


class AcceptanceSerializer(serializers.Serializer):
    accepted = serializers.BooleanField(help_text="Whether a submission now would be accepted.")
    reason = serializers.CharField(help_text="Why not, when it would be refused.")
    late_days = serializers.IntegerField(help_text="How late it would count (0: on time).")
    deadline = serializers.DateTimeField(
        allow_null=True, help_text="The caller's own deadline (an extension moves it)."
    )


class StandingSerializer(serializers.Serializer):
    """Where the signed-in participant stands on one challenge."""

    allowance = AllowanceSerializer()
    disqualified = serializers.CharField(allow_null=True, help_text="The reason, if any.")
    submitting = AcceptanceSerializer(help_text="The phase rules for the caller, now.")
    locked = serializers.CharField(
        allow_null=True, help_text="Why a course the caller takes holds it back, if one does."
    )
    team = TeamSerializer(allow_null=True, help_text="The caller's team on the challenge.")
    budget = BudgetSerializer(
        allow_null=True, help_text="The caller's (or their team's) compute budget, if one is set."
    )


# --- submissions ----------------------------------------------------------------------


class ScoresSerializer(serializers.Serializer):
    """Scores of a submission as this viewer may see them (instance: SubmissionView)."""

    public = serializers.FloatField(allow_null=True, source="public_score")
    private = serializers.FloatField(
        allow_null=True,
        source="private_score",
        help_text="null until the phase ends (those who manage the challenge see it at once).",
    )
    public_interval = serializers.ListField(
        child=serializers.FloatField(),
        allow_null=True,
        help_text="The public score's 95% bootstrap interval [low, high] over the split's items.",
    )
    private_interval = serializers.ListField(
        child=serializers.FloatField(),
        allow_null=True,
        help_text="The private score's 95% interval, shown when the private score is.",
    )
    private_shown = serializers.BooleanField(source="show_private")
    metric = serializers.CharField(source="submission.challenge.metric")
    direction = serializers.CharField(source="submission.challenge.direction")


class ResourcesSerializer(serializers.Serializer):
    """What the run used (instance: Submission)."""

    sandbox_status = serializers.CharField()
    wall_seconds = serializers.FloatField(allow_null=True)
    cpu_seconds = serializers.FloatField(allow_null=True)
    peak_memory_bytes = serializers.IntegerField(allow_null=True)
    warned_of = serializers.CharField(
        help_text="The time limit the program was warned of (SIGTERM shortly before it): "
        "wall or cpu; empty when it was not."
    )


class SubmissionSummarySerializer(serializers.Serializer):
    """A submission in a list (instance: SubmissionView)."""

    id = serializers.IntegerField(source="submission.id")
    challenge = serializers.SlugField(source="submission.challenge.slug")
    participant = serializers.CharField(source="submission.user.username")
    original_name = serializers.CharField(source="submission.original_name")
    state = serializers.ChoiceField(
        choices=Submission.State.choices,
        help_text="A sealed interactive run shows its author 'running' until its end may be shown.",
    )
    is_final = serializers.BooleanField(help_text="Whether it has stopped changing.")
    scores = ScoresSerializer(source="*")
    failure_reason = serializers.CharField(
        help_text="Why it failed (one plain sentence for a sealed run's author)."
    )
    hold_reason = serializers.CharField(
        allow_null=True,
        help_text="Why it is held for review (state held); those who manage the challenge only.",
    )
    selected = serializers.BooleanField(source="submission.selected", help_text="Marked as final.")
    created_at = serializers.DateTimeField(source="submission.created_at")
    page_url = serializers.SerializerMethodField()

    def get_page_url(self, view: SubmissionView) -> str:
        return _absolute(self.context, "submission", view.submission.id)


class SubmissionSerializer(SubmissionSummarySerializer):
    """One submission, with its run (instance: SubmissionView)."""

    queued_at = serializers.DateTimeField(source="submission.queued_at", allow_null=True)
    started_at = serializers.DateTimeField(source="submission.started_at", allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    queue_position = serializers.IntegerField(
        allow_null=True, help_text="Submissions ahead of it while it waits; null otherwise."
    )
    queue = serializers.CharField(
        source="submission.queue", help_text="The lane it was sent to (e.g. cpu-short)."
    )
    starts_in_seconds = serializers.FloatField(
        source="queue.starts_in_seconds",
        allow_null=True,
        default=None,
        help_text="The estimated wait before it starts, while it waits.",
    )
    seed = serializers.IntegerField(
        source="submission.seed", help_text="MILESTONES_SEED: the same seed on every rerun."
    )
    ran_on = serializers.DictField(
        source="submission.ran_on",
        help_text="What it ran on: runtime and versions, CPU, GPU, bundle and grader checksums.",
    )
    elapsed_seconds = serializers.FloatField(allow_null=True)
    wall_limit_seconds = serializers.IntegerField(allow_null=True)
    resources = ResourcesSerializer(
        allow_null=True, help_text="null for a sealed run's author while the phase is open."
    )
    finals_open = serializers.BooleanField(help_text="Whether it may still be marked as final.")
    log_tail = serializers.CharField(help_text="The last lines of the log this viewer may read.")
    log_cut = serializers.BooleanField(help_text="Whether the log has more lines than the tail.")
    curves = serializers.DictField(
        help_text="Its progress and curves, read from the progress lines it printed: "
        '{"progress": 0.0 to 1.0, "series": {"loss": [[step, value], ...]}} ({} if none; '
        "not for a sealed run's author).",
    )


class SubmitSerializer(serializers.Serializer):
    code = serializers.FileField(help_text="main.py, or a .zip with main.py at its root.")


class FinalSerializer(serializers.Serializer):
    selected = serializers.BooleanField(default=True, help_text="false unmarks it.")


class LogSerializer(serializers.Serializer):
    text = serializers.CharField()
    lines = serializers.IntegerField(help_text="Lines of the whole log.")
    cut = serializers.BooleanField(help_text="Whether ``text`` is only the last lines.")


class LogQuerySerializer(serializers.Serializer):
    tail = serializers.IntegerField(
        required=False, min_value=1, max_value=100_000, help_text="Only the last N lines."
    )


# --- dry runs -------------------------------------------------------------------------


class DryRunSerializer(serializers.Serializer):
    """A dry run, as its author sees it (instance: DryRun). Its log holds nothing
    hidden, so it is whole."""

    id = serializers.IntegerField()
    challenge = serializers.SlugField(source="challenge.slug")
    original_name = serializers.CharField()
    state = serializers.SerializerMethodField(
        help_text="'lost' when it has not ended long after it began: its worker went away."
    )
    is_final = serializers.SerializerMethodField(help_text="Whether it has stopped changing.")
    reason = serializers.SerializerMethodField(help_text="Why it failed (or was lost).")
    sample_score = serializers.FloatField(
        allow_null=True,
        help_text="The grader's score on training items set aside: a check, never a result.",
    )
    sample_items = serializers.IntegerField(allow_null=True, help_text="How many items it scored.")
    metric = serializers.CharField(source="challenge.metric")
    direction = serializers.CharField(source="challenge.direction")
    wall_seconds = serializers.FloatField(allow_null=True)
    cpu_seconds = serializers.FloatField(allow_null=True)
    elapsed_seconds = serializers.SerializerMethodField(help_text="Run time so far, once started.")
    wall_limit_seconds = serializers.SerializerMethodField(help_text="The dry run's cap.")
    log = serializers.CharField(help_text="Its head and its end, as the sandbox keeps them.")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    page_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=[*DryRun.State.values, "lost"]))
    def get_state(self, dry_run: DryRun) -> str:
        return "lost" if dry_run.is_lost else str(dry_run.state)

    def get_is_final(self, dry_run: DryRun) -> bool:
        return dry_run.is_final or dry_run.is_lost

    def get_reason(self, dry_run: DryRun) -> str:
        return LOST_REASON if dry_run.is_lost else dry_run.reason

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_elapsed_seconds(self, dry_run: DryRun) -> float | None:
        if dry_run.started_at is None:
            return None
        return ((dry_run.finished_at or clock.now()) - dry_run.started_at).total_seconds()

    def get_wall_limit_seconds(self, dry_run: DryRun) -> int:
        return int(settings.DRY_RUN_SECONDS)

    def get_page_url(self, dry_run: DryRun) -> str:
        return _absolute(self.context, "dry-run", dry_run.id)
