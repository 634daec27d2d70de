"""The instructor's pages: the dashboard, uploading a bundle, and managing one
challenge (rules, phases, rescoring, disqualifications). Each view checks the
role, parses a form, calls one service and redirects with a message."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from server.accounts.decorators import instructor_required
from server.accounts.roles import can_manage
from server.competitions import services
from server.competitions.bundles import BundleError
from server.competitions.forms import (
    BundleUploadForm,
    ConfirmForm,
    DisqualifyForm,
    PhaseForm,
    RulesForm,
)
from server.competitions.models import Challenge
from server.competitions.selectors import challenges_managed_by, participant_counts, phase_state
from server.competitions.views import visible_or_404
from server.submissions.models import Submission
from server.submissions.selectors import state_counts, submissions_of_challenge
from server.submissions.services import challenge_rescore_all


def managed_or_403(request: HttpRequest, slug: str) -> Challenge:
    """404 for what this user cannot see, 403 for what they see but do not manage."""
    challenge = visible_or_404(request, slug)
    if not can_manage(request.user, challenge):
        raise PermissionDenied("Only the challenge's instructor and staff manage it.")
    return challenge


@instructor_required
def dashboard(request: HttpRequest) -> HttpResponse:
    challenges = list(challenges_managed_by(user=request.user))
    context = {
        "rows": [(c, phase_state(challenge=c)) for c in challenges],
        "participants": participant_counts(challenges=challenges),
    }
    return render(request, "competitions/manage/dashboard.html", context)


@instructor_required
def upload(request: HttpRequest) -> HttpResponse:
    form = BundleUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.challenge_upload(
                user=request.user, archive=form.cleaned_data["bundle"]
            )
        except BundleError as exc:
            problems = exc.problems
        else:
            note = f" ({outcome.detail})" if outcome.detail else ""
            messages.success(request, f"Challenge {outcome.slug} {outcome.action}{note}.")
            return redirect("manage-challenge", slug=outcome.slug)
    context = {"form": form, "problems": problems}
    return render(
        request, "competitions/manage/upload.html", context, status=400 if problems else 200
    )


@instructor_required
def challenge(request: HttpRequest, slug: str) -> HttpResponse:
    target = managed_or_403(request, slug)
    initial = {
        "daily_limit": target.daily_limit,
        "max_final": target.max_final,
        "is_published": target.is_published,
    }
    context = {
        "challenge": target,
        "phase": phase_state(challenge=target),
        "rules_form": RulesForm(initial=initial),
        "phase_form": PhaseForm(),
        "disqualify_form": DisqualifyForm(),
        "confirm_form": ConfirmForm(),
        "disqualifications": target.disqualifications.select_related("user", "created_by"),
        "recent": submissions_of_challenge(challenge=target)[:15],
        "counts": state_counts(challenge=target),
    }
    return render(request, "competitions/manage/challenge.html", context)


@instructor_required
def submissions(request: HttpRequest, slug: str) -> HttpResponse:
    target = managed_or_403(request, slug)
    username = request.GET.get("user", "").strip()
    state = request.GET.get("state", "")
    state = state if state in Submission.State.values else ""
    rows = submissions_of_challenge(challenge=target, username=username, state=state)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {"challenge": target, "page": page, "username": username, "state": state,
               "states": Submission.State.values}  # fmt: skip
    return render(request, "competitions/manage/submissions.html", context)


def _apply_form(
    request: HttpRequest, slug: str, form_class: type[forms.Form], act: Callable[..., str]
) -> HttpResponse:
    """Validate ``form_class`` from the POST, call ``act(challenge, **fields)`` and
    show what it returns; a form error or a refused change is shown instead."""
    target = managed_or_403(request, slug)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("manage-challenge", slug=slug)
    try:
        messages.success(request, act(target, **form.cleaned_data))
    except services.ChangeRefused as exc:
        messages.error(request, str(exc))
    return redirect("manage-challenge", slug=slug)


@instructor_required
@require_POST
def rules(request: HttpRequest, slug: str) -> HttpResponse:
    def act(challenge: Challenge, **fields: object) -> str:
        services.challenge_set_rules(challenge=challenge, **fields)
        return "Rules saved."

    return _apply_form(request, slug, RulesForm, act)


@instructor_required
@require_POST
def phase_add(request: HttpRequest, slug: str) -> HttpResponse:
    def act(challenge: Challenge, **fields: object) -> str:
        phase = services.phase_create(challenge=challenge, **fields)
        return f"Phase {phase.name!r} added."

    return _apply_form(request, slug, PhaseForm, act)


@instructor_required
@require_POST
def phase_delete(request: HttpRequest, slug: str, phase_id: int) -> HttpResponse:
    target = managed_or_403(request, slug)
    if services.phase_delete(challenge=target, phase_id=phase_id):
        messages.success(request, "Phase removed.")
    else:
        messages.error(request, "That phase no longer exists.")
    return redirect("manage-challenge", slug=slug)


@instructor_required
@require_POST
def rescore_all(request: HttpRequest, slug: str) -> HttpResponse:
    target = managed_or_403(request, slug)
    if not ConfirmForm(request.POST).is_valid():
        messages.error(request, "Tick the box to confirm rescoring every submission.")
        return redirect("manage-challenge", slug=slug)
    moved = challenge_rescore_all(challenge=target)
    messages.success(request, f"{moved} submission{'s' * (moved != 1)} will be run again.")
    return redirect("manage-challenge", slug=slug)


@instructor_required
@require_POST
def disqualify(request: HttpRequest, slug: str) -> HttpResponse:
    def act(challenge: Challenge, **fields: object) -> str:
        row = services.participant_disqualify(challenge=challenge, by=request.user, **fields)
        return f"{row.user.username} is disqualified and hidden from the boards."

    return _apply_form(request, slug, DisqualifyForm, act)


@instructor_required
@require_POST
def reinstate(request: HttpRequest, slug: str, disqualification_id: int) -> HttpResponse:
    target = managed_or_403(request, slug)
    if services.participant_reinstate(challenge=target, disqualification_id=disqualification_id):
        messages.success(request, "Participant reinstated.")
    else:
        messages.error(request, "That disqualification no longer exists.")
    return redirect("manage-challenge", slug=slug)


def _form_errors(form: RulesForm | PhaseForm | DisqualifyForm) -> str:
    return " ".join(
        f"{form.fields[field].label if field in form.fields else ''}: {' '.join(errors)}".lstrip(
            ": "
        )
        for field, errors in form.errors.items()
    )
