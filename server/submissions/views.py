"""Submitting, and the pages of submissions: live status, code, log, finals."""

from __future__ import annotations

import zipfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from server.accounts.roles import can_manage
from server.competitions.selectors import finals_open_for, phase_state, private_revealed
from server.competitions.views import visible_or_404
from server.submissions.forms import SubmissionForm
from server.submissions.models import Submission
from server.submissions.selectors import queue_position, submission_visible_to, submissions_of
from server.submissions.services import (
    SubmissionRefused,
    submission_cancel,
    submission_create,
    submission_rescore,
    submission_select,
)

CODE_PREVIEW_BYTES = 200_000


@login_required
@require_POST
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = visible_or_404(request, slug)
    form = SubmissionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a main.py or a .zip file to submit.")
        return redirect("challenge", slug=slug)
    try:
        submission = submission_create(
            user=request.user, challenge=challenge, upload=form.cleaned_data["code"]
        )
    except SubmissionRefused as exc:
        messages.error(request, str(exc))
        return redirect("challenge", slug=slug)
    return redirect("submission", submission_id=submission.id)


def _visible_or_404(request: HttpRequest, submission_id: int) -> Submission:
    submission = submission_visible_to(user=request.user, submission_id=submission_id)
    if submission is None:
        raise Http404("No such submission")
    return submission


def _status_context(request: HttpRequest, submission: Submission) -> dict[str, object]:
    challenge = submission.challenge
    manages = can_manage(request.user, challenge)
    return {
        "submission": submission,
        "manages": manages,
        "is_author": submission.user_id == request.user.id,
        "show_private": manages
        or private_revealed(challenge=challenge, created_at=submission.created_at),
        "queue_position": queue_position(submission=submission),
        "finals_open": finals_open_for(challenge=challenge, created_at=submission.created_at),
    }


@login_required
def detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _visible_or_404(request, submission_id)
    context = _status_context(request, submission)
    context["code"] = _code_preview(submission)
    context["phase"] = phase_state(challenge=submission.challenge)
    context["form"] = SubmissionForm()
    return render(request, "submissions/detail.html", context)


@login_required
def status(request: HttpRequest, submission_id: int) -> HttpResponse:
    """The live part of the page, fetched by htmx until the submission is final."""
    submission = _visible_or_404(request, submission_id)
    return render(request, "submissions/_status.html", _status_context(request, submission))


@login_required
def log(request: HttpRequest, submission_id: int) -> HttpResponse:
    """The whole log the sandbox kept, as plain text."""
    submission = _visible_or_404(request, submission_id)
    response = HttpResponse(
        submission.log_tail or "(no output)", content_type="text/plain; charset=utf-8"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def code(request: HttpRequest, submission_id: int) -> FileResponse:
    """The uploaded file as stored, always as a download (never rendered)."""
    submission = _visible_or_404(request, submission_id)
    suffix = ".zip" if submission.upload.name.endswith(".zip") else ".py"
    return FileResponse(
        submission.upload.open("rb"),
        as_attachment=True,
        filename=f"submission-{submission.id}{suffix}",
        content_type="application/octet-stream",
    )


def _code_preview(submission: Submission) -> dict[str, object]:
    """A .py shown as text; a .zip as its list of files."""
    try:
        with submission.upload.open("rb") as stored:
            if submission.upload.name.endswith(".zip"):
                with zipfile.ZipFile(stored) as archive:
                    return {"files": [(i.filename, i.file_size) for i in archive.infolist()]}
            data = stored.read(CODE_PREVIEW_BYTES + 1)
    except (OSError, zipfile.BadZipFile):
        return {"missing": True}
    text = data[:CODE_PREVIEW_BYTES].decode("utf-8", errors="replace")
    return {"text": text, "cut": len(data) > CODE_PREVIEW_BYTES}


@login_required
@require_POST
def cancel(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _visible_or_404(request, submission_id)
    if submission.user_id != request.user.id:
        raise PermissionDenied("Only its author cancels a submission.")
    if not submission_cancel(submission=submission):
        messages.error(request, "This submission has already finished.")
    return redirect("submission", submission_id=submission.id)


@login_required
@require_POST
def select(request: HttpRequest, submission_id: int) -> HttpResponse:
    """Mark or unmark as final (``selected`` = "1" or "0")."""
    submission = _visible_or_404(request, submission_id)
    selected = request.POST.get("selected") == "1"
    try:
        submission_select(user=request.user, submission=submission, selected=selected)
    except SubmissionRefused as exc:
        if submission.user_id != request.user.id:
            raise PermissionDenied(str(exc)) from exc
        messages.error(request, str(exc))
    else:
        word = "marked as final" if selected else "no longer marked as final"
        messages.success(request, f"Submission #{submission.id} {word}.")
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("submission", submission_id=submission.id)


@login_required
@require_POST
def rescore(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _visible_or_404(request, submission_id)
    if not can_manage(request.user, submission.challenge):
        raise PermissionDenied("Only the challenge's instructor and staff rescore.")
    if submission_rescore(submission=submission):
        messages.success(request, f"Submission #{submission.id} will be run again.")
    else:
        messages.error(request, "Only a scored or failed submission can be rescored.")
    return redirect("submission", submission_id=submission.id)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """My submissions, across challenges, newest first."""
    rows = submissions_of(user=request.user).order_by("-created_at", "-id")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "submissions/mine.html", {"page": page})
