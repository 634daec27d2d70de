"""The instructor's pages: the dashboard, uploading a bundle, and managing one
challenge (rules, phases, rescoring, disqualifications). Each view checks the
role, parses a form, calls one service and redirects with a message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from server.accounts.decorators import instructor_required
from server.accounts.requests import AuthenticatedRequest
from server.bundles.bundle import BundleError
from server.competitions import loading, preparations, services
from server.competitions.access import managed_or_403
from server.competitions.models import Challenge, Extension, Preparation
from server.competitions.selectors import challenges_managed_by, phase_state
from server.courses import services as course_services
from server.courses.forms import AnnouncementForm, ExtensionForm, RegradeAnswerForm
from server.instructor.forms import (
    BundleUploadForm,
    ConfirmForm,
    DisqualifyForm,
    PhaseForm,
    RulesForm,
)
from server.submissions import services as submission_services
from server.submissions.errors import SubmissionRefused
from server.submissions.models import Submission
from server.submissions.selectors import (
    participant_counts,
    regrades_of_challenge,
    state_counts,
    submissions_of_challenge,
)
from server.submissions.services import challenge_rescore_all


@instructor_required
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    challenges = list(challenges_managed_by(user=request.user))
    context = {
        "rows": [(c, phase_state(challenge=c)) for c in challenges],
        "participants": participant_counts(challenges=challenges),
    }
    return render(request, "instructor/dashboard.html", context)


@instructor_required
def upload(request: AuthenticatedRequest) -> HttpResponse:
    form = BundleUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            outcome = loading.challenge_upload(
                user=request.user, archive=form.cleaned_data["bundle"]
            )
        except BundleError as exc:
            problems = exc.problems
        else:
            messages.success(
                request,
                f"Bundle for {outcome.slug} staged: a worker prepares its data in the sandbox "
                "and then checks its reference solution; follow it below.",
            )
            return redirect("manage-challenge", slug=outcome.slug)
    context = {"form": form, "problems": problems}
    return render(request, "instructor/upload.html", context, status=400 if problems else 200)


@instructor_required
def challenge(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    target = managed_or_403(request, slug)
    initial = {
        "daily_limit": target.daily_limit,
        "max_final": target.max_final,
        "is_published": target.is_published,
        "team_size": target.team_size,
        "teams_lock_at": target.teams_lock_at,
        "cpu_budget_seconds": target.cpu_budget_seconds,
        "gpu_budget_seconds": target.gpu_budget_seconds,
        "budget_period": target.budget_period,
    }
    phases = phase_state(challenge=target)
    context = {
        "challenge": target,
        "preparation": _settled_preparation(target),
        "phase": phases,
        "rules_form": RulesForm(initial=initial),
        "phase_form": PhaseForm(),
        "extension_form": ExtensionForm(
            phases=[(p.pk, p.name) for p in phases.phases], prefix="extension"
        ),
        "extensions": Extension.objects.filter(phase__challenge=target).select_related(
            "phase", "user", "team"
        ),
        "announcement_form": AnnouncementForm(prefix="announcement"),
        "announcements": target.announcements.all()[:5],
        "regrades": regrades_of_challenge(challenge=target),
        "disqualify_form": DisqualifyForm(),
        "confirm_form": ConfirmForm(),
        "disqualifications": target.disqualifications.select_related("user", "created_by"),
        "recent": submissions_of_challenge(challenge=target)[:15],
        "counts": state_counts(challenge=target),
    }
    return render(request, "instructor/challenge.html", context)


def _settled_preparation(challenge: Challenge) -> Preparation | None:
    latest = preparations.latest_preparation(challenge=challenge)
    return None if latest is None else preparations.preparation_settle(preparation=latest)


@instructor_required
def preparation(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The latest bundle version's progress and log (polled by the manage page)."""
    target = managed_or_403(request, slug)
    context = {"challenge": target, "preparation": _settled_preparation(target)}
    return render(request, "instructor/_preparation.html", context)


@instructor_required
def submissions(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    target = managed_or_403(request, slug)
    username = request.GET.get("user", "").strip()
    state = request.GET.get("state", "")
    state = state if state in Submission.State.values else ""
    rows = submissions_of_challenge(challenge=target, username=username, state=state)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "challenge": target,
        "page": page,
        "username": username,
        "state": state,
        "states": Submission.State.values,
    }
    return render(request, "instructor/submissions.html", context)


def _apply_form(
    request: AuthenticatedRequest,
    slug: str,
    form_class: type[forms.Form],
    act: Callable[..., str],
    prefix: str | None = None,
) -> HttpResponse:
    """Validate ``form_class`` from the POST, call ``act(challenge, **fields)`` and
    show what it returns; a form error or a refused change is shown instead."""
    target = managed_or_403(request, slug)
    form = form_class(request.POST, prefix=prefix)
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
def rules(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    def act(challenge: Challenge, **fields: Any) -> str:
        services.challenge_set_rules(challenge=challenge, **fields)
        return "Rules saved."

    return _apply_form(request, slug, RulesForm, act)


@instructor_required
@require_POST
def phase_add(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    def act(challenge: Challenge, **fields: Any) -> str:
        phase = services.phase_create(challenge=challenge, **fields)
        return f"Phase {phase.name!r} added."

    return _apply_form(request, slug, PhaseForm, act)


@instructor_required
@require_POST
def phase_delete(request: AuthenticatedRequest, slug: str, phase_id: int) -> HttpResponse:
    target = managed_or_403(request, slug)
    if services.phase_delete(challenge=target, phase_id=phase_id):
        messages.success(request, "Phase removed.")
    else:
        messages.error(request, "That phase no longer exists.")
    return redirect("manage-challenge", slug=slug)


@instructor_required
@require_POST
def rescore_all(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    target = managed_or_403(request, slug)
    if not ConfirmForm(request.POST).is_valid():
        messages.error(request, "Tick the box to confirm rescoring every submission.")
        return redirect("manage-challenge", slug=slug)
    moved = challenge_rescore_all(challenge=target)
    messages.success(request, f"{moved} submission{'s' * (moved != 1)} will be run again.")
    return redirect("manage-challenge", slug=slug)


@instructor_required
@require_POST
def disqualify(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    def act(challenge: Challenge, **fields: Any) -> str:
        row = services.participant_disqualify(challenge=challenge, by=request.user, **fields)
        return f"{row.user.username} is disqualified and hidden from the boards."

    return _apply_form(request, slug, DisqualifyForm, act)


@instructor_required
@require_POST
def reinstate(request: AuthenticatedRequest, slug: str, disqualification_id: int) -> HttpResponse:
    target = managed_or_403(request, slug)
    if services.participant_reinstate(challenge=target, disqualification_id=disqualification_id):
        messages.success(request, "Participant reinstated.")
    else:
        messages.error(request, "That disqualification no longer exists.")
    return redirect("manage-challenge", slug=slug)


def _form_errors(form: forms.Form) -> str:
    return " ".join(
        f"{form.fields[field].label if field in form.fields else ''}: {' '.join(str(error) for error in errors)}".lstrip(
            ": "
        )
        for field, errors in form.errors.items()
    )


@instructor_required
@require_POST
def announce(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """An announcement for everyone in the challenge: its page, and their inboxes."""

    def act(challenge: Challenge, **fields: Any) -> str:
        try:
            course_services.announcement_post(by=request.user, challenge=challenge, **fields)
        except course_services.CourseRefused as exc:
            raise services.ChangeRefused(str(exc)) from exc
        return "Announced: it is on the challenge's page and on its way to its participants."

    return _apply_form(request, slug, AnnouncementForm, act, prefix="announcement")


@instructor_required
@require_POST
def extension_grant(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    target = managed_or_403(request, slug)
    form = ExtensionForm(
        request.POST, phases=[(p.pk, p.name) for p in target.phases.all()], prefix="extension"
    )
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("manage-challenge", slug=slug)
    fields = form.cleaned_data
    try:
        whom = services.extension_grant_to(
            phase=target.phases.get(pk=fields["phase"]),
            username=fields["username"],
            ends_at=fields["ends_at"],
            reason=fields["reason"],
            by=request.user,
        )
    except services.ChangeRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Extension granted to {whom}.")
    return redirect(reverse("manage-challenge", args=[slug]) + "#extensions")


@instructor_required
@require_POST
def extension_revoke(request: AuthenticatedRequest, slug: str, extension_id: int) -> HttpResponse:
    target = managed_or_403(request, slug)
    if services.extension_revoke(challenge=target, extension_id=extension_id):
        messages.success(request, "Extension withdrawn.")
    return redirect(reverse("manage-challenge", args=[slug]) + "#extensions")


@instructor_required
@require_POST
def regrade_answer(request: AuthenticatedRequest, slug: str, request_id: int) -> HttpResponse:
    target = managed_or_403(request, slug)
    asked = get_object_or_404(regrades_of_challenge(challenge=target), id=request_id)
    form = RegradeAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        try:
            submission_services.regrade_answer(request=asked, by=request.user, **form.cleaned_data)
        except SubmissionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Answered {asked.user.username}; they get it by email.")
    return redirect(reverse("manage-challenge", args=[slug]) + "#regrades")
