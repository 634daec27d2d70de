"""How the API answers what cannot be done: one shape, ``{"detail": "..."}``, for
every refusal; the services' refusals mapped to status codes in one place."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from server.accounts.tokens import TokenRefused
from server.competitions.services import ChangeRefused
from server.submissions.errors import SubmissionRefused


class Refused(exceptions.APIException):
    """Not now: the phase is closed, the day's submissions are used, the upload is
    unusable, the submission is not in a state for this. ``detail`` says why."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This cannot be done now."


class BadChange(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "This change cannot be made."


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, SubmissionRefused):
        exc = Refused(str(exc))
    elif isinstance(exc, ChangeRefused | TokenRefused):
        exc = BadChange(str(exc))
    return drf_exception_handler(exc, context)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


_MEANING = {
    400: "The request is malformed; the body says which fields are wrong.",
    401: "No token, or a token that is unknown, revoked or expired.",
    403: "Signed in, but not allowed to do this.",
    404: "No such object, or one this user may not see.",
    409: "Refused now; `detail` says why.",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The error answers of an endpoint, for its schema."""
    return {
        code: OpenApiResponse(
            response=OpenApiTypes.OBJECT if code == 400 else ErrorSerializer,
            description=_MEANING[code],
        )
        for code in codes
    }
