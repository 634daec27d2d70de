"""Starting a dry run from a challenge's page, and the dry run's own page, which
follows it (htmx polls its status) until it has passed or failed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from server.accounts.requests import AuthenticatedRequest
from server.competitions.access import visible_or_404
from server.dry_runs.models import DryRun
from server.dry_runs.selectors import dry_run_of
from server.dry_runs.services import dry_run_create
from server.submissions.errors import SubmissionRefused
from server.submissions.forms import SubmissionForm


@login_required
@require_POST
def start(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    challenge = visible_or_404(request, slug)
    form = SubmissionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a main.py or a .zip file for the dry run.")
        return redirect("challenge", slug=slug)
    try:
        dry_run = dry_run_create(
            user=request.user, challenge=challenge, upload=form.cleaned_data["code"]
        )
    except SubmissionRefused as exc:
        messages.error(request, str(exc))
        return redirect("challenge", slug=slug)
    return redirect("dry-run", dry_run_id=dry_run.pk)


def _own_or_404(request: AuthenticatedRequest, dry_run_id: int) -> DryRun:
    dry_run = dry_run_of(user=request.user, dry_run_id=dry_run_id)
    if dry_run is None:
        raise Http404("No such dry run.")
    return dry_run


@login_required
def detail(request: AuthenticatedRequest, dry_run_id: int) -> HttpResponse:
    dry_run = _own_or_404(request, dry_run_id)
    return render(
        request,
        "dry_runs/detail.html",
        {"dry_run": dry_run, "challenge": dry_run.challenge, "form": SubmissionForm()},
    )


@login_required
def status(request: AuthenticatedRequest, dry_run_id: int) -> HttpResponse:
    """The part of the page that changes, fetched by htmx until the run has ended."""
    dry_run = _own_or_404(request, dry_run_id)
    return render(request, "dry_runs/_status.html", {"dry_run": dry_run})
