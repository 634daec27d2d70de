"""Endpoints that answer with a file (a zip, a CSV): the file on success, JSON
for an error, whatever the client's Accept header asks for."""

from __future__ import annotations

from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView


class FileAPIView(APIView):
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        # The success is an HttpResponse of its own (never rendered); an error is
        # JSON. Refusing an Accept of "application/zip" with 406 would help nobody.
        renderer = JSONRenderer()
        return renderer, renderer.media_type
