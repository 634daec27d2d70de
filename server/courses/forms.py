"""Forms of the course pages. They parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from server.courses.models import CourseChallenge

_WHEN_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
ROSTER_MAX_BYTES = 1024 * 1024


class CourseForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    description = forms.CharField(
        label="Description (students see it)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class JoinForm(forms.Form):
    code = forms.CharField(label="Join code from your instructor", max_length=32)


class InstructorForm(forms.Form):
    username = forms.CharField(label="Co-instructor (username)", max_length=150)


class StepAddForm(forms.Form):
    challenge = forms.ChoiceField(label="Challenge")

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["challenge"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class StepRulesForm(forms.Form):
    prerequisite = forms.TypedChoiceField(
        label="Unlocks after", coerce=int, empty_value=None, required=False
    )
    unlock = forms.ChoiceField(label="Unlocked by", choices=CourseChallenge.Unlock.choices)
    phase = forms.TypedChoiceField(
        label="Graded phase", coerce=int, empty_value=None, required=False
    )
    zero_at = forms.FloatField(label="Score for 0 points", required=False)
    full_at = forms.FloatField(label="Score for every point", required=False)
    points = forms.IntegerField(label="Points", min_value=1, max_value=1000)

    def __init__(
        self,
        *args: Any,
        prerequisites: list[tuple[str, str]],
        phases: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        prerequisite = self.fields["prerequisite"]
        assert isinstance(prerequisite, forms.ChoiceField)
        prerequisite.choices = [("", "nothing: open from the start"), *prerequisites]
        phase = self.fields["phase"]
        assert isinstance(phase, forms.ChoiceField)
        phase.choices = [("", "the last phase (or every submission)"), *phases]


class RosterForm(forms.Form):
    text = forms.CharField(
        label="Paste the roster",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "ada@example.org\nbob@example.org"}),
        help_text="A CSV with an email column (Canvas, Moodle and most exports have one), "
        "or one address a line.",
    )
    file = forms.FileField(label="…or upload it (.csv, .txt)", required=False)

    def roster(self) -> str:
        """The pasted text, else the uploaded file's, as text."""
        upload = self.cleaned_data.get("file")
        if upload is None:
            return str(self.cleaned_data.get("text") or "")
        if upload.size > ROSTER_MAX_BYTES:
            raise forms.ValidationError("A roster file holds at most 1 MB.")
        raw = upload.read()
        try:
            return str(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            return str(raw.decode("latin-1"))


class ExtensionForm(forms.Form):
    phase = forms.TypedChoiceField(label="Phase", coerce=int)
    username = forms.CharField(label="Student (username)", max_length=150)
    ends_at = forms.DateTimeField(
        input_formats=_WHEN_FORMATS, widget=forms.DateTimeInput({"type": "datetime-local"})
    )
    reason = forms.CharField(label="Reason (for your records)", max_length=300, required=False)

    def __init__(self, *args: Any, phases: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        phase = self.fields["phase"]
        assert isinstance(phase, forms.ChoiceField)
        phase.choices = phases
        self.fields["ends_at"].label = f"New deadline ({settings.TIME_ZONE})"


class AnnouncementForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    body = forms.CharField(label="Text", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class RegradeAnswerForm(forms.Form):
    answer = forms.CharField(
        label="Answer", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    rescore = forms.BooleanField(label="Rescore the submission", required=False)
