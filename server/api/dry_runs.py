"""Dry runs: start one on a challenge, and follow it. Only its author sees a dry
run, as on its page; each endpoint calls the service or the rule the pages call."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from server.api.errors import errors
from server.api.requests import signed_in
from server.api.serializers import DryRunSerializer, SubmitSerializer
from server.competitions.access import visible_or_404
from server.dry_runs.models import DryRun
from server.dry_runs.selectors import dry_run_of
from server.dry_runs.services import dry_run_create

TAGS = ["dry runs"]


def _render(request: Request, dry_run: DryRun, code: int = status.HTTP_200_OK) -> Response:
    return Response(DryRunSerializer(dry_run, context={"request": request}).data, status=code)


class ChallengeDryRunsView(APIView):
    @extend_schema(
        tags=TAGS,
        request={"multipart/form-data": SubmitSerializer},
        responses={201: DryRunSerializer, **errors(400, 401, 404, 409)},
    )
    def post(self, request: Request, slug: str) -> Response:
        """Try main.py or a zip on the challenge's training sample for at most a few
        seconds: uncharged, unranked, one at a time. Refused (409) where the
        challenge offers none, or while another of yours runs."""
        challenge = visible_or_404(request, slug)
        form = SubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        dry_run = dry_run_create(
            user=signed_in(request), challenge=challenge, upload=form.validated_data["code"]
        )
        return _render(request, dry_run, status.HTTP_201_CREATED)


class DryRunDetailView(APIView):
    @extend_schema(tags=TAGS, responses={200: DryRunSerializer, **errors(401, 404)})
    def get(self, request: Request, dry_run_id: int) -> Response:
        """State, sample score, the failure's reason, resources and the whole log
        (its author only)."""
        dry_run = dry_run_of(user=signed_in(request), dry_run_id=dry_run_id)
        if dry_run is None:
            raise NotFound("No such dry run.")
        return _render(request, dry_run)
