"""Who the caller is: what ``milestones login`` checks a token against."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from server.accounts.models import ApiToken
from server.accounts.roles import is_instructor
from server.api.errors import errors


class TokenSerializer(serializers.Serializer):
    name = serializers.CharField()
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    is_instructor = serializers.BooleanField()
    is_staff = serializers.BooleanField()
    token = TokenSerializer(allow_null=True, help_text="The token of this request, if any.")


class MeView(APIView):
    @extend_schema(tags=["accounts"], responses={200: MeSerializer, **errors(401)})
    def get(self, request: Request) -> Response:
        token = request.auth if isinstance(request.auth, ApiToken) else None
        me = {
            "username": request.user.get_username(),
            "is_instructor": is_instructor(request.user),
            "is_staff": request.user.is_staff,
            "token": token,
        }
        return Response(MeSerializer(me).data)
