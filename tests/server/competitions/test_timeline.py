from __future__ import annotations

import datetime as dt

from django.utils import timezone

from server.competitions.models import Challenge
from server.competitions.timeline import MILESTONES, timeline
from server.site import clock


def test_the_clock_travels_and_keeps_running():
    target = timezone.now() + dt.timedelta(days=3)
    with clock.travelled(to=target):
        assert abs((clock.now() - target).total_seconds()) < 1
    assert abs((clock.now() - timezone.now()).total_seconds()) < 1
    clock.travel_by(dt.timedelta(hours=-2))
    assert clock.now() < timezone.now() - dt.timedelta(hours=1)
    clock.reset()


def test_timeline_shows_offered_challenges_in_place_of_their_milestones():
    offered = [
        Challenge(slug="1958-perceptron", year=1958, title="The perceptron"),
        Challenge(slug="1999-custom-idea", year=1999, title="Something new"),
    ]
    items = timeline(offered)
    years = [item.year for item in items]
    assert years == sorted(years) and years[0] == 1943
    assert len(items) == len(MILESTONES) + 1  # the perceptron replaced, the custom one added
    perceptron = next(item for item in items if item.year == 1958)
    assert perceptron.challenge is offered[0] and perceptron.milestone.people == "Rosenblatt"
    assert next(item for item in items if item.year == 1999).milestone is None
