from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from server.competitions.models import Challenge
from server.competitions.selectors import challenge_get
from server.submissions.forms import SubmissionForm
from server.submissions.selectors import submission_visible_to
from server.submissions.services import SubmissionRefused, submission_cancel, submission_create


@login_required
@require_POST
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        challenge = challenge_get(slug=slug)
    except Challenge.DoesNotExist as exc:
        raise Http404("No such challenge") from exc
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


def _visible_or_404(request: HttpRequest, submission_id: int):  # type: ignore[no-untyped-def]
    submission = submission_visible_to(user=request.user, submission_id=submission_id)
    if submission is None:
        raise Http404("No such submission")
    return submission


@login_required
def detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _visible_or_404(request, submission_id)
    return render(request, "submissions/detail.html", {"submission": submission})


@login_required
def status(request: HttpRequest, submission_id: int) -> HttpResponse:
    """The live part of the page, fetched by htmx until the submission is final."""
    submission = _visible_or_404(request, submission_id)
    return render(request, "submissions/_status.html", {"submission": submission})


@login_required
@require_POST
def cancel(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _visible_or_404(request, submission_id)
    if submission.user_id != request.user.id:
        raise Http404("No such submission")
    if not submission_cancel(submission=submission):
        messages.error(request, "This submission has already finished.")
    return redirect("submission", submission_id=submission.id)
