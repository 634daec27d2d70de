"""Submitting, and the pages of submissions: live status, code, log, finals."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from graders.readers.progress_lines import stored_series
from server.accounts.requests import AuthenticatedRequest
from server.accounts.roles import can_manage, is_author, is_entrant
from server.competitions.access import visible_or_404
from server.competitions.deadlines import acceptance
from server.site import clock
from server.site.redirects import safe_next
from server.submissions import events as submission_events
from server.submissions.curves_chart import panels
from server.submissions.entrants import entrant_of
from server.submissions.errors import SubmissionRefused
from server.submissions.forms import SubmissionForm
from server.submissions.live import live_view
from server.submissions.models import Submission
from server.submissions.selectors import submission_visible_to, submissions_of
from server.submissions.services import (
    REGRADABLE,
    regrade_request,
    submission_cancel,
    submission_create,
    submission_disqualify_author,
    submission_release,
    submission_rescore,
    submission_select,
)
from server.submissions.viewing import submission_view, visible_log
from worker.api import live_channel

CODE_PREVIEW_BYTES = 200_000
STREAM_SECONDS = 300


@login_required
@require_POST
def submit(request: AuthenticatedRequest, slug: str) -> HttpResponse:
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
    view = submission_view(user=request.user, submission=submission)
    return {
        "submission": submission,
        "view": view,
        "manages": view.manages,
        "is_author": view.is_author,
        "is_entrant": view.is_entrant,
        "show_private": view.show_private,
        "queue": view.queue,
        "finals_open": view.finals_open,
        "log_tail": view.log_tail,
        "log_cut": view.log_cut,
        "curves": panels(stored_series(view.curves)),
        **_live_context(request, submission),
    }


def _live_context(request: HttpRequest, submission: Submission) -> dict[str, object]:
    shown = live_view(user=request.user, submission=submission)
    return {"live": shown, "live_curves": panels(shown.series)}


@login_required
def detail(request: AuthenticatedRequest, submission_id: int) -> HttpResponse:
    submission = _visible_or_404(request, submission_id)
    context = _status_context(request, submission)
    context["code"] = _code_preview(submission)
    challenge = submission.challenge
    entrant = entrant_of(user=request.user, challenge=challenge)
    context["accepted"] = acceptance(
        challenge=challenge, user_id=request.user.pk, team_id=entrant.team_id, at=clock.now()
    )
    context["form"] = SubmissionForm()
    context["regrades"] = submission.regrade_requests.select_related("answered_by")
    context["regradable"] = submission.state in REGRADABLE
    return render(request, "submissions/detail.html", context)


@login_required
def status(request: AuthenticatedRequest, submission_id: int) -> HttpResponse:
    """The live part of the page, fetched by htmx until the submission is final."""
    submission = _visible_or_404(request, submission_id)
    return render(request, "submissions/_status.html", _status_context(request, submission))


@login_required
def live(request: AuthenticatedRequest, submission_id: int) -> HttpResponse:
    """A running submission's live part (clock, progress, usage, curves, log so far),
    fetched when its worker publishes a new state."""
    submission = _visible_or_404(request, submission_id)
    # Once it has ended this shows the clock only, until its status (fetched on
    # "changed") replaces it with the end.
    return render(request, "submissions/_live.html", _status_context(request, submission))


@login_required
def events(request: AuthenticatedRequest, submission_id: int) -> StreamingHttpResponse:
    """Server-sent events: "changed" the moment the submission changes (its page then
    fetches the new state), "live" when a running one's live state is renewed (its
    live part is fetched); a stream lasts STREAM_SECONDS, and the browser reconnects."""
    submission = _visible_or_404(request, submission_id)

    def stream() -> Iterator[str]:
        yield "retry: 2000\n\n"
        words = submission_events.changes(
            submission.id, seconds=STREAM_SECONDS, live_feed=live_channel(submission.id)
        )
        for word in words:
            yield f"event: {word}\ndata: {word}\n\n" if word else ": still here\n\n"

    response = StreamingHttpResponse(stream(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # a proxy in front must not hold the events back
    return response


@login_required
def log(request: AuthenticatedRequest, submission_id: int) -> HttpResponse:
    """The whole log the sandbox kept, as plain text."""
    submission = _visible_or_404(request, submission_id)
    text = visible_log(user=request.user, submission=submission)
    response = HttpResponse(text or "(no output)", content_type="text/plain; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def code(request: AuthenticatedRequest, submission_id: int) -> FileResponse:
    """The uploaded file as stored, always as a download (never rendered)."""
    submission = _visible_or_404(request, submission_id)
    suffix = ".zip" if (submission.upload.name or "").endswith(".zip") else ".py"
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
            if (submission.upload.name or "").endswith(".zip"):
                with zipfile.ZipFile(stored) as archive:
                    return {"files": [(i.filename, i.file_size) for i in archive.infolist()]}
            data = stored.read(CODE_PREVIEW_BYTES + 1)
    except (OSError, zipfile.BadZipFile):
        return {"missing": True}
    text = data[:CODE_PREVIEW_BYTES].decode("utf-8", errors="replace")
    return {"text": text, "cut": len(data) > CODE_PREVIEW_BYTES}


@login_required
@require_POST
def cancel(request: AuthenticatedRequest, submission_id: int) -> HttpResponse:
    submission = _visible_or_404(request, submission_id)
    if not is_author(request.user, submission):
        raise PermissionDenied("Only its author cancels a submission.")
    if submission_cancel(submission=submission):
        messages.success(request, f"Submission #{submission.id} is cancelled; it is not charged.")
    else:
        messages.error(request, "This submission has already finished.")
    return redirect("submission", submission_id=submission.id)


@login_required
@require_POST
def select(request: AuthenticatedRequest, submission_id: int) -> HttpResponse:
    """Mark or unmark as final (``selected`` = "1" or "0")."""
    submission = _visible_or_404(request, submission_id)
    selected = request.POST.get("selected") == "1"
    try:
        submission_select(user=request.user, submission=submission, selected=selected)
    except SubmissionRefused as exc:
        if not is_entrant(request.user, submission):
            raise PermissionDenied(str(exc)) from exc
        messages.error(request, str(exc))
    else:
        word = "marked as final" if selected else "no longer marked as final"
        messages.success(request, f"Submission #{submission.id} {word}.")
    here = reverse("submission", args=[submission.id])
    return HttpResponseRedirect(safe_next(request, fallback=here))


@login_required
@require_POST
def regrade(request: AuthenticatedRequest, submission_id: int) -> HttpResponse:
    """Ask, in a sentence, for the result to be looked at again."""
    submission = _visible_or_404(request, submission_id)
    if not is_entrant(request.user, submission):
        raise PermissionDenied("Only its author or their team ask for a regrade.")
    try:
        regrade_request(user=request.user, submission=submission, text=request.POST.get("text", ""))
    except SubmissionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Sent to the instructors; their answer comes by email and here.")
    return redirect(reverse("submission", args=[submission.id]) + "#regrade")


@login_required
@require_POST
def rescore(request: AuthenticatedRequest, submission_id: int) -> HttpResponse:
    submission = _visible_or_404(request, submission_id)
    if not can_manage(request.user, submission.challenge):
        raise PermissionDenied("Only the challenge's instructor and staff rescore.")
    if submission_rescore(submission=submission):
        messages.success(request, f"Submission #{submission.id} will be run again.")
    else:
        messages.error(request, "Only a scored, held or failed submission can be rescored.")
    return redirect("submission", submission_id=submission.id)


@login_required
@require_POST
def release(request: AuthenticatedRequest, submission_id: int) -> HttpResponse:
    submission = _managed_or_403(request, submission_id)
    if submission_release(submission=submission):
        messages.success(request, f"Submission #{submission.id} is on the boards.")
    else:
        messages.error(request, "Only a submission held for review can be released.")
    return redirect("submission", submission_id=submission.id)


@login_required
@require_POST
def disqualify(request: AuthenticatedRequest, submission_id: int) -> HttpResponse:
    submission = _managed_or_403(request, submission_id)
    if submission.state != Submission.State.HELD:
        messages.error(request, "Disqualify from here only what is held for review.")
    else:
        submission_disqualify_author(submission=submission, by=request.user)
        messages.success(request, f"{submission.user.username} is disqualified from the challenge.")
    return redirect("submission", submission_id=submission.id)


def _managed_or_403(request: AuthenticatedRequest, submission_id: int) -> Submission:
    submission = _visible_or_404(request, submission_id)
    if not can_manage(request.user, submission.challenge):
        raise PermissionDenied("Only the challenge's instructor and staff review submissions.")
    return submission


@login_required
def mine(request: AuthenticatedRequest) -> HttpResponse:
    """My submissions, across challenges, newest first."""
    rows = submissions_of(user=request.user).order_by("-created_at", "-id")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "submissions/mine.html", {"page": page})
