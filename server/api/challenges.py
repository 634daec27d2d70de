"""Challenges: the list, one challenge (limits, runtime, metric, phases, and
where the caller stands), and its downloads."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from server.api.errors import errors
from server.api.files import FileAPIView
from server.api.serializers import (
    ChallengeSerializer,
    ChallengeSummarySerializer,
    StandingSerializer,
)
from server.competitions.access import visible_or_404
from server.competitions.deadlines import acceptance
from server.competitions.downloads import download_response
from server.competitions.models import Challenge
from server.competitions.selectors import challenge_list, disqualification_of
from server.courses.selectors import lock_reason
from server.site import clock
from server.submissions import compute
from server.submissions.allowance import allowance_of
from server.submissions.entrants import entrant_of
from server.teams.selectors import team_view


class ChallengeDetailSerializer(ChallengeSerializer):
    you = serializers.SerializerMethodField(help_text="null for an anonymous caller.")

    @extend_schema_field(StandingSerializer(allow_null=True))
    def get_you(self, challenge: Challenge) -> dict[str, Any] | None:
        user = self.context["request"].user
        if not user.is_authenticated:
            return None
        barred = disqualification_of(challenge=challenge, user=user)
        entrant = entrant_of(user=user, challenge=challenge)
        standing = {
            "allowance": allowance_of(user=user, challenge=challenge),
            "disqualified": barred.reason if barred is not None else None,
            "submitting": acceptance(
                challenge=challenge, user_id=user.pk, team_id=entrant.team_id, at=clock.now()
            ),
            "locked": lock_reason(user=user, challenge=challenge),
            "team": team_view(user=user, challenge=challenge),
            "budget": compute.budget_of(entrant=entrant, challenge=challenge, as_seen=True),
        }
        return dict(StandingSerializer(standing).data)


@extend_schema(tags=["challenges"], responses={200: ChallengeSummarySerializer(many=True)})
class ChallengeListView(ListAPIView):
    """Every published challenge, oldest milestone first."""

    permission_classes = [AllowAny]
    serializer_class = ChallengeSummarySerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return challenge_list().prefetch_related("phases")


class ChallengeView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["challenges"],
        responses={200: ChallengeDetailSerializer, **errors(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        """A challenge: its limits, runtime, metric and direction, phases, baselines,
        downloads and, for a signed-in caller, their allowance for today."""
        challenge = visible_or_404(request, slug)
        return Response(ChallengeDetailSerializer(challenge, context={"request": request}).data)


def _zip(summary: str) -> Any:
    return extend_schema(
        tags=["challenges"],
        summary=summary,
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="A zip."),
            **errors(404),
        },
    )


class ChallengeDataView(FileAPIView):
    permission_classes = [AllowAny]

    @_zip("The public data: training and test inputs.")
    def get(self, request: Request, slug: str) -> FileResponse:
        return download_response(challenge=visible_or_404(request, slug), kind="data")


class ChallengeStarterView(FileAPIView):
    permission_classes = [AllowAny]

    @_zip("The starter kit.")
    def get(self, request: Request, slug: str) -> FileResponse:
        return download_response(challenge=visible_or_404(request, slug), kind="starter")
