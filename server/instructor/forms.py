"""Forms of the instructor's pages. They parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from server.competitions.models import Challenge

_WHEN = {"type": "datetime-local"}
_WHEN_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class BundleUploadForm(forms.Form):
    bundle = forms.FileField(
        label="Challenge bundle (.zip)",
        help_text="challenge.toml, README.md, prepare.py and starter/ at the zip's root "
        "or in one top folder.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".zip", "aria-describedby": "bundle-help"}
        ),
    )


class RulesForm(forms.Form):
    daily_limit = forms.IntegerField(
        label="Submissions per participant in 24 hours",
        required=False,
        min_value=1,
        help_text="Rolling 24 hours. Empty: the site's default.",
    )
    max_final = forms.IntegerField(
        label="Final submissions a participant may mark", min_value=1, max_value=20
    )
    is_published = forms.BooleanField(label="Published (visible to everyone)", required=False)
    team_size = forms.IntegerField(
        label="Largest team",
        min_value=1,
        max_value=20,
        required=False,
        help_text="1 (or empty): individual entries only.",
    )
    teams_lock_at = forms.DateTimeField(
        label="Teams fixed on",
        required=False,
        input_formats=_WHEN_FORMATS,
        widget=forms.DateTimeInput(_WHEN),
        help_text="Empty: when the last phase ends.",
    )
    cpu_budget_seconds = forms.IntegerField(
        label="CPU budget (seconds per participant or team)",
        required=False,
        min_value=1,
        help_text="Empty: no budget.",
    )
    gpu_budget_seconds = forms.IntegerField(
        label="GPU budget (seconds per participant or team)",
        required=False,
        min_value=1,
        help_text="Empty: no budget.",
    )
    budget_period = forms.ChoiceField(
        label="Budgets over", choices=Challenge.BudgetPeriod.choices, required=False
    )

    def clean_team_size(self) -> int:
        return int(self.cleaned_data.get("team_size") or 1)

    def clean_budget_period(self) -> str:
        return str(self.cleaned_data.get("budget_period") or Challenge.BudgetPeriod.WEEK)


class PhaseForm(forms.Form):
    name = forms.CharField(label="Phase name", max_length=100)
    starts_at = forms.DateTimeField(input_formats=_WHEN_FORMATS, widget=forms.DateTimeInput(_WHEN))
    ends_at = forms.DateTimeField(input_formats=_WHEN_FORMATS, widget=forms.DateTimeInput(_WHEN))
    late_until = forms.DateTimeField(
        required=False, input_formats=_WHEN_FORMATS, widget=forms.DateTimeInput(_WHEN)
    )
    late_penalty_percent = forms.IntegerField(
        label="Grade off per day late (%)", min_value=0, max_value=100, initial=0, required=False
    )

    def clean_late_penalty_percent(self) -> int:
        return int(self.cleaned_data.get("late_penalty_percent") or 0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Entered in the site's time zone, the one every page shows.
        self.fields["starts_at"].label = f"Starts ({settings.TIME_ZONE})"
        self.fields["ends_at"].label = f"Ends ({settings.TIME_ZONE})"
        self.fields[
            "late_until"
        ].label = f"Late submissions until ({settings.TIME_ZONE}; empty: none)"


class DisqualifyForm(forms.Form):
    username = forms.CharField(label="Participant (username)", max_length=150)
    reason = forms.CharField(label="Reason (the participant sees it)", max_length=500)


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label="Yes, run every scored and failed submission again")
