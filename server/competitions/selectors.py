"""Reads on challenges."""

from __future__ import annotations

from django.db.models import QuerySet

from server.competitions.models import Challenge


def challenge_list() -> QuerySet[Challenge]:
    return Challenge.objects.filter(is_published=True).prefetch_related("baselines")


def challenge_get(*, slug: str) -> Challenge:
    return Challenge.objects.prefetch_related("baselines").get(slug=slug, is_published=True)
