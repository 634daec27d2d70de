"""What a participant downloads to begin: the public data and the starter kit,
zips prepared beside the challenge's data. The pages and the API serve them."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, Http404

from server.competitions.models import Challenge

DOWNLOADS = {"data": "public.zip", "starter": "starter.zip"}  # kind -> file name


def download_path(*, challenge: Challenge, kind: str) -> Path | None:
    """The challenge's ``kind`` of download; None while its data is not installed."""
    path = challenge.data_dir / DOWNLOADS[kind]
    if challenge.data_status != Challenge.DataStatus.READY or not path.is_file():
        return None
    return path


def download_response(*, challenge: Challenge, kind: str) -> FileResponse:
    path = download_path(challenge=challenge, kind=kind)
    if path is None:
        raise Http404("This challenge's data is not installed yet.")
    filename = f"{challenge.slug}-{kind}.zip"
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename)
