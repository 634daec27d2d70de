"""What an instructor does from a script: disqualify and reinstate participants.
(A challenge's submissions, rescoring and the CSV export sit beside the
submissions and the leaderboards they act on.)"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from server.api.errors import errors
from server.api.requests import signed_in
from server.competitions import services
from server.competitions.access import managed_or_403
from server.competitions.models import Disqualification

TAGS = ["instructor"]


class DisqualificationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(source="user.username", max_length=150)
    reason = serializers.CharField(max_length=500, help_text="The participant sees it.")
    created_at = serializers.DateTimeField(read_only=True)


class DisqualificationsView(APIView):
    @extend_schema(
        tags=TAGS,
        responses={200: DisqualificationSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        """The participants hidden from the challenge's boards."""
        challenge = managed_or_403(request, slug)
        rows = Disqualification.objects.filter(challenge=challenge).select_related("user")
        return Response(DisqualificationSerializer(rows, many=True).data)

    @extend_schema(
        tags=TAGS,
        request=DisqualificationSerializer,
        responses={201: DisqualificationSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: Request, slug: str) -> Response:
        """Hide a participant from the boards (their records stay)."""
        challenge = managed_or_403(request, slug)
        form = DisqualificationSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        row = services.participant_disqualify(
            challenge=challenge,
            username=form.validated_data["user"]["username"],
            reason=form.validated_data["reason"],
            by=signed_in(request),
        )
        return Response(DisqualificationSerializer(row).data, status=status.HTTP_201_CREATED)


class DisqualificationView(APIView):
    @extend_schema(tags=TAGS, responses={204: None, **errors(401, 403, 404)})
    def delete(self, request: Request, slug: str, disqualification_id: int) -> Response:
        """Reinstate a participant."""
        challenge = managed_or_403(request, slug)
        if not services.participant_reinstate(
            challenge=challenge, disqualification_id=disqualification_id
        ):
            raise NotFound("No such disqualification.")
        return Response(status=status.HTTP_204_NO_CONTENT)
