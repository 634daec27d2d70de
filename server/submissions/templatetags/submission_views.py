"""A submission in a list, as the viewer may see it (``server.submissions.viewing``):
a sealed run is "running" to its author until its end may be shown, without a score."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from server.submissions.models import Submission
from server.submissions.viewing import shown_state

register = template.Library()


@dataclass(frozen=True)
class ShownRow:
    state: str
    label: str
    public_score: float | None


@register.simple_tag(takes_context=True)
def shown(context: dict[str, Any], submission: Submission) -> ShownRow:
    state = shown_state(user=context["request"].user, submission=submission)
    scored = state in (Submission.State.SCORED, Submission.State.HELD)
    return ShownRow(
        state=state,
        label=Submission.State(state).label,
        public_score=submission.public_score if scored else None,
    )
