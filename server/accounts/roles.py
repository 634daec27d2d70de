"""Who may do what. Roles: anonymous (reads public pages and boards), student
(submits; sees their own code and logs), instructor (creates challenges and
manages the ones they own), staff (everything). Every view asks here."""

from __future__ import annotations

from typing import Any

from server.competitions.models import Challenge


def is_instructor(user: Any) -> bool:
    """May create challenges and open the instructor dashboard."""
    return bool(user.is_authenticated and (user.is_instructor or user.is_staff))


def can_manage(user: Any, challenge: Challenge) -> bool:
    """May change the challenge, see every submission's code and log, rescore,
    disqualify and export: its owner (an instructor) and staff."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or (user.is_instructor and challenge.owner_id == user.id))


def can_see(user: Any, challenge: Challenge) -> bool:
    """Published challenges are public; a draft is seen by those who manage it."""
    return challenge.is_published or can_manage(user, challenge)
