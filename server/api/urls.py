"""The REST API under /api/: its OpenAPI schema and docs, then the endpoints."""

from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from server.api import accounts, challenges, dry_runs, instructor, leaderboards, submissions

app_name = "api"


@csrf_exempt  # a POST to no endpoint is answered 404, as a GET is
def not_found(request: HttpRequest) -> JsonResponse:
    """An address under /api/ that names no endpoint: JSON, as every API answer."""
    return JsonResponse({"detail": "No such endpoint."}, status=404)


SLUG = "challenges/<slug:slug>"
SUBMISSION = "submissions/<int:submission_id>"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("me/", accounts.MeView.as_view(), name="me"),
    path("challenges/", challenges.ChallengeListView.as_view(), name="challenges"),
    path(f"{SLUG}/", challenges.ChallengeView.as_view(), name="challenge"),
    path(f"{SLUG}/data/", challenges.ChallengeDataView.as_view(), name="challenge-data"),
    path(f"{SLUG}/starter/", challenges.ChallengeStarterView.as_view(), name="challenge-starter"),
    path(
        f"{SLUG}/submissions/",
        submissions.ChallengeSubmissionsView.as_view(),
        name="challenge-submissions",
    ),
    path(f"{SLUG}/dry-runs/", dry_runs.ChallengeDryRunsView.as_view(), name="challenge-dry-runs"),
    path("dry-runs/<int:dry_run_id>/", dry_runs.DryRunDetailView.as_view(), name="dry-run"),
    path(f"{SLUG}/leaderboard/", leaderboards.LeaderboardView.as_view(), name="leaderboard"),
    path(
        f"{SLUG}/leaderboard/export/",
        leaderboards.LeaderboardExportView.as_view(),
        name="leaderboard-export",
    ),
    path(
        f"{SLUG}/disqualifications/",
        instructor.DisqualificationsView.as_view(),
        name="disqualifications",
    ),
    path(
        f"{SLUG}/disqualifications/<int:disqualification_id>/",
        instructor.DisqualificationView.as_view(),
        name="disqualification",
    ),
    path("submissions/", submissions.MySubmissionsView.as_view(), name="my-submissions"),
    path(f"{SUBMISSION}/", submissions.SubmissionDetailView.as_view(), name="submission"),
    path(f"{SUBMISSION}/log/", submissions.SubmissionLogView.as_view(), name="submission-log"),
    path(
        f"{SUBMISSION}/final/", submissions.SubmissionFinalView.as_view(), name="submission-final"
    ),
    path(
        f"{SUBMISSION}/cancel/",
        submissions.SubmissionCancelView.as_view(),
        name="submission-cancel",
    ),
    path(
        f"{SUBMISSION}/rescore/",
        submissions.SubmissionRescoreView.as_view(),
        name="submission-rescore",
    ),
    re_path(r"^", not_found),  # whatever is left, newlines included
]
