"""Leaderboards: the public board of a phase, the private one once revealed (or
to those who manage the challenge), and the CSV export of either."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from server.api.errors import errors
from server.api.files import FileAPIView
from server.api.serializers import PhaseSerializer
from server.competitions.access import managed_or_403, visible_or_404
from server.leaderboards.export import csv_filename, write_board_csv
from server.leaderboards.selectors import board_for, board_rows, board_scope
from server.site import clock


class BoardQuerySerializer(serializers.Serializer):
    board = serializers.ChoiceField(choices=["public", "private"], default="public")
    phase = serializers.IntegerField(
        required=False, help_text="A phase's id (default: the open phase, else the last one)."
    )


class BoardPageQuerySerializer(BoardQuerySerializer):
    page = serializers.IntegerField(required=False, min_value=1, default=1)


class BoardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True, help_text="null for a baseline.")
    participant = serializers.CharField()
    score = serializers.FloatField()
    is_baseline = serializers.BooleanField()
    is_bound = serializers.BooleanField(help_text="A baseline that bounds what a model can reach.")
    is_published = serializers.BooleanField(
        help_text="A baseline as published, on every test item: the same on either board."
    )
    baseline_name = serializers.CharField(source="label", help_text="A baseline's name.")
    submission_id = serializers.IntegerField(allow_null=True)
    submitted_at = serializers.DateTimeField()
    entries = serializers.IntegerField(help_text="The participant's scored submissions.")
    last_submitted_at = serializers.DateTimeField(allow_null=True)
    change = serializers.IntegerField(
        allow_null=True, help_text="Places gained in 24 hours (public board)."
    )
    interval = serializers.ListField(
        child=serializers.FloatField(),
        allow_null=True,
        help_text="The score's 95% bootstrap interval [low, high].",
    )
    is_team = serializers.BooleanField(help_text="The participant is a team (its name).")
    late_days = serializers.IntegerField(
        help_text="Days after its deadline the shown submission came (0: on time)."
    )
    tied_with_above = serializers.BooleanField(
        help_text="Its interval overlaps the participant's just above: statistically tied."
    )


class BoardSerializer(serializers.Serializer):
    phase = PhaseSerializer(source="scope.phase", allow_null=True)
    title = serializers.CharField(source="scope.label", help_text="The phase's name.")
    phases = PhaseSerializer(many=True, help_text="The boards one may pick, by phase.")
    private = serializers.BooleanField()
    revealed = serializers.BooleanField(help_text="Whether the phase has ended.")
    reveal_at = serializers.DateTimeField(source="scope.reveal_at", allow_null=True)
    count = serializers.IntegerField(help_text="Entrants on the whole board.")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    rows = BoardRowSerializer(many=True)


def _query(request: Request, form: type[BoardQuerySerializer]) -> dict[str, Any]:
    query = form(data=request.query_params)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


class LeaderboardView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["leaderboards"],
        parameters=[BoardPageQuerySerializer],
        responses={200: BoardSerializer, **errors(400, 403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        """A board, 100 entrants a page: each one's best, baselines at their place."""
        challenge = visible_or_404(request, slug)
        query = _query(request, BoardPageQuerySerializer)
        board = board_for(
            user=request.user,
            challenge=challenge,
            phase_id=query.get("phase"),
            private=query["board"] == "private",
            at=clock.now(),
            page=query["page"],
        )
        if board.private and not board.may_see_private:
            raise PermissionDenied("The private leaderboard is revealed when the phase ends.")
        data = {
            "scope": board.scope,
            "phases": [scope.phase for scope in board.scopes if scope.phase is not None],
            "private": board.private,
            "revealed": board.revealed,
            "count": board.page.count,
            "page": board.page.number,
            "pages": board.page.pages,
            "rows": board.rows,
        }
        return Response(BoardSerializer(data).data)


class LeaderboardExportView(FileAPIView):
    @extend_schema(
        tags=["instructor"],
        parameters=[BoardQuerySerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The board as CSV."),
            **errors(400, 401, 403, 404),
        },
    )
    def get(self, request: Request, slug: str) -> HttpResponse:
        """A board as CSV, the private one at any time (its instructor and staff)."""
        challenge = managed_or_403(request, slug)
        query = _query(request, BoardQuerySerializer)
        now = clock.now()
        scope = board_scope(challenge=challenge, phase_id=query.get("phase"), at=now)
        private = query["board"] == "private"
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = csv_filename(slug=challenge.slug, scope=scope, private=private)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        write_board_csv(
            response,
            rows=board_rows(challenge=challenge, scope=scope, private=private),
            private=private,
        )
        return response
