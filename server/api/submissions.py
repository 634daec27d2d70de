"""Submissions: submit, mine, one submission, its log, mark final, cancel,
rescore, and a challenge's submissions for those who manage it. Each endpoint
parses, calls the service or selector the pages call, and renders."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from server.accounts.roles import can_manage, is_author
from server.api.errors import Refused, errors
from server.api.requests import signed_in
from server.api.serializers import (
    FinalSerializer,
    LogQuerySerializer,
    LogSerializer,
    SubmissionSerializer,
    SubmissionSummarySerializer,
    SubmitSerializer,
)
from server.competitions.access import managed_or_403, visible_or_404
from server.submissions.models import Submission
from server.submissions.selectors import (
    submission_visible_to,
    submissions_of,
    submissions_of_challenge,
)
from server.submissions.services import (
    submission_cancel,
    submission_create,
    submission_rescore,
    submission_select,
)
from server.submissions.viewing import submission_view, visible_log

TAGS = ["submissions"]


def _visible(request: Request, submission_id: int) -> Submission:
    submission = submission_visible_to(user=request.user, submission_id=submission_id)
    if submission is None:
        raise NotFound("No such submission.")
    return submission


def _render(request: Request, submission_id: int, code: int = status.HTTP_200_OK) -> Response:
    """The submission as the caller sees it now (after a change, re-read)."""
    view = submission_view(user=request.user, submission=_visible(request, submission_id))
    return Response(SubmissionSerializer(view, context={"request": request}).data, status=code)


class _ViewsPage(GenericAPIView):
    """Lists of submissions: a page of rows, each as the caller sees it."""

    serializer_class = SubmissionSummarySerializer

    def page_of(self, rows: QuerySet[Submission]) -> Response:
        page = self.paginate_queryset(rows.prefetch_related("challenge__phases"))
        views = [submission_view(user=self.request.user, submission=s) for s in page or []]
        return self.get_paginated_response(self.get_serializer(views, many=True).data)


class InstructorFilterSerializer(serializers.Serializer):
    user = serializers.CharField(required=False, help_text="A participant's username.")
    state = serializers.ChoiceField(choices=Submission.State.choices, required=False)


class ChallengeSubmissionsView(_ViewsPage):
    @extend_schema(
        tags=["instructor"],
        parameters=[InstructorFilterSerializer],
        responses={200: SubmissionSummarySerializer(many=True), **errors(400, 401, 403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        """Every submission of a challenge, newest first (its instructor and staff)."""
        challenge = managed_or_403(request, slug)
        query = InstructorFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return self.page_of(
            submissions_of_challenge(
                challenge=challenge,
                username=query.validated_data.get("user", ""),
                state=query.validated_data.get("state", ""),
            ).select_related("challenge")
        )

    @extend_schema(
        tags=TAGS,
        request={"multipart/form-data": SubmitSerializer},
        responses={201: SubmissionSerializer, **errors(400, 401, 404, 409)},
    )
    def post(self, request: Request, slug: str) -> Response:
        """Submit main.py or a zip: checked, stored and queued as on the page."""
        challenge = visible_or_404(request, slug)
        form = SubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        submission = submission_create(
            user=signed_in(request), challenge=challenge, upload=form.validated_data["code"]
        )
        return _render(request, submission.id, status.HTTP_201_CREATED)


class MineFilterSerializer(serializers.Serializer):
    challenge = serializers.SlugField(required=False, help_text="Only this challenge's.")


class MySubmissionsView(_ViewsPage, ListAPIView):
    @extend_schema(
        tags=TAGS,
        parameters=[MineFilterSerializer],
        responses={200: SubmissionSummarySerializer(many=True), **errors(400, 401, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """My submissions, newest first."""
        query = MineFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        slug = query.validated_data.get("challenge")
        challenge = visible_or_404(request, slug) if slug else None
        rows = submissions_of(user=signed_in(request), challenge=challenge)
        return self.page_of(rows.order_by("-created_at", "-id"))


class SubmissionDetailView(APIView):
    @extend_schema(tags=TAGS, responses={200: SubmissionSerializer, **errors(401, 404)})
    def get(self, request: Request, submission_id: int) -> Response:
        """State, scores, queue position, resources, the failure's reason, the log's tail."""
        return _render(request, submission_id)


class SubmissionLogView(APIView):
    @extend_schema(
        tags=TAGS,
        parameters=[LogQuerySerializer],
        responses={200: LogSerializer, **errors(400, 401, 404)},
    )
    def get(self, request: Request, submission_id: int) -> Response:
        """The log this caller may read: whole, or its last ``tail`` lines."""
        query = LogQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        text = visible_log(user=request.user, submission=_visible(request, submission_id))
        lines = text.splitlines()
        tail = query.validated_data.get("tail")
        shown = lines[-tail:] if tail is not None else lines
        return Response(
            LogSerializer(
                {"text": "\n".join(shown), "lines": len(lines), "cut": len(shown) < len(lines)}
            ).data
        )


class SubmissionFinalView(APIView):
    @extend_schema(
        tags=TAGS,
        request=FinalSerializer,
        responses={200: SubmissionSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, submission_id: int) -> Response:
        """Mark a scored submission as final for the private ranking (or unmark it)."""
        submission = _visible(request, submission_id)
        if not is_author(request.user, submission):
            raise PermissionDenied("Only its author marks a submission as final.")
        form = FinalSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        submission_select(
            user=signed_in(request), submission=submission, selected=form.validated_data["selected"]
        )
        return _render(request, submission_id)


class SubmissionCancelView(APIView):
    @extend_schema(
        tags=TAGS, request=None, responses={200: SubmissionSerializer, **errors(401, 403, 404, 409)}
    )
    def post(self, request: Request, submission_id: int) -> Response:
        """Stop a submission that has not finished; it is not charged."""
        submission = _visible(request, submission_id)
        if not is_author(request.user, submission):
            raise PermissionDenied("Only its author cancels a submission.")
        if not submission_cancel(submission=submission):
            raise Refused("This submission has already finished.")
        return _render(request, submission_id)


class SubmissionRescoreView(APIView):
    @extend_schema(
        tags=["instructor"],
        request=None,
        responses={200: SubmissionSerializer, **errors(401, 403, 404, 409)},
    )
    def post(self, request: Request, submission_id: int) -> Response:
        """Run a scored or failed submission again (its instructor and staff)."""
        submission = _visible(request, submission_id)
        if not can_manage(request.user, submission.challenge):
            raise PermissionDenied("Only the challenge's instructor and staff rescore.")
        if not submission_rescore(submission=submission):
            raise Refused("Only a scored or failed submission can be rescored.")
        return _render(request, submission_id)
