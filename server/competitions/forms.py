"""Forms of the instructor's pages. They parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

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


class PhaseForm(forms.Form):
    name = forms.CharField(label="Phase name", max_length=100)
    starts_at = forms.DateTimeField(input_formats=_WHEN_FORMATS, widget=forms.DateTimeInput(_WHEN))
    ends_at = forms.DateTimeField(input_formats=_WHEN_FORMATS, widget=forms.DateTimeInput(_WHEN))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Entered in the site's time zone, the one every page shows.
        self.fields["starts_at"].label = f"Starts ({settings.TIME_ZONE})"
        self.fields["ends_at"].label = f"Ends ({settings.TIME_ZONE})"


class DisqualifyForm(forms.Form):
    username = forms.CharField(label="Participant (username)", max_length=150)
    reason = forms.CharField(label="Reason (the participant sees it)", max_length=500)


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label="Yes, run every scored and failed submission again")
