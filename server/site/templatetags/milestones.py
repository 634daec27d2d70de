"""Small filters for the pages: durations in words, countdowns on the site's clock."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from server.site import clock

register = template.Library()


def _words(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} day{'s' * (days != 1)} {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


@register.filter
def countdown(moment: dt.datetime | None) -> str:
    """Time left until ``moment`` on the site's clock ("2 days 3 h")."""
    if moment is None:
        return ""
    return _words((moment - clock.now()).total_seconds())


@register.filter
def elapsed(since: dt.datetime | None) -> str:
    """Real time elapsed since ``since`` (a run's start): "1 min 5 s"."""
    if since is None:
        return ""
    return _words((timezone.now() - since).total_seconds())


@register.filter
def seconds(value: float | None) -> str:
    return "" if value is None else _words(value) if value >= 60 else f"{value:.2f} s"


@register.filter
def whole_seconds(value: float | None) -> str:
    """A duration to the second ("42 s", "3 min 5 s"), for estimates."""
    return "" if value is None else _words(value) if value >= 60 else f"{value:.0f} s"


@register.filter
def get_item(mapping: dict[object, object] | None, key: object) -> object:
    return mapping.get(key) if mapping else None


@register.filter
def absolute(value: int | float) -> int | float:
    return abs(value)
