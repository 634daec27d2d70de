"""Request bodies capped before anything is read: a body larger than its route
allows is answered 413 from its Content-Length alone, so an anonymous 1 GiB
upload is never written to a temporary file. (Django reads no body without a
Content-Length, so a chunked one cannot go around it.)"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

MULTIPART_SLACK = 64 * 1024  # the form's other fields and its boundaries


def body_limit(path: str) -> int:
    """The largest request body ``path`` accepts, in bytes."""
    if path.startswith(("/instructor/upload/", "/admin/")):
        return settings.BUNDLE_UPLOAD_MAX_BYTES + MULTIPART_SLACK
    return max(settings.SUBMISSION_MAX_UPLOAD_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE) + (
        MULTIPART_SLACK
    )


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        limit = body_limit(request.path)
        if not declared.isdecimal() or int(declared) > limit:
            return HttpResponse(
                f"Request body too large: this page accepts at most {limit:,} bytes.\n",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
