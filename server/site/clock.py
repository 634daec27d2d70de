"""The site's "now", in one place, so that phases, deadlines, daily windows and
"since yesterday" can be moved in tests (and nowhere else).

The clock only shifts time by an offset: it keeps running, so elapsed times and
timeouts behave as in production. Submission timestamps written by the workers
use the real time; the site's rules all read this clock."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone

_offset = dt.timedelta(0)


def now() -> dt.datetime:
    return timezone.now() + _offset


def travel_to(moment: dt.datetime) -> None:
    """From now on, now() reads ``moment`` (and keeps running from there)."""
    global _offset
    _offset = moment - timezone.now()


def travel_by(delta: dt.timedelta) -> None:
    global _offset
    _offset += delta


def reset() -> None:
    global _offset
    _offset = dt.timedelta(0)


@contextlib.contextmanager
def travelled(*, to: dt.datetime) -> Iterator[None]:
    """``with travelled(to=deadline + one_hour): ...`` then back to the real time."""
    global _offset
    saved = _offset
    travel_to(to)
    try:
        yield
    finally:
        _offset = saved


def site_time(moment: dt.datetime) -> str:
    """A moment as the pages show it: "2026-12-01 23:59 UTC" in the site's time zone."""
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M} {settings.TIME_ZONE}"
