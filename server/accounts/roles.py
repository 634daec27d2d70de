"""Who may do what. Roles: anonymous (reads public pages and boards), student
(submits; sees their own code and logs, and their team's), instructor (creates
challenges and courses and manages the ones they own or teach), staff
(everything). Every view asks here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from server.competitions.models import Challenge
from server.courses.models import Course
from server.teams.models import Membership

if TYPE_CHECKING:
    from server.submissions.models import Submission


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


def is_author(user: Any, submission: Submission) -> bool:
    """The participant who made a submission: cancels it."""
    return bool(user.is_authenticated and submission.user_id == user.id)


def is_entrant(user: Any, submission: Submission) -> bool:
    """Its author, or a member of the team it was made for: they see it (code and
    log), mark it as final and ask for a regrade."""
    if is_author(user, submission):
        return True
    if not user.is_authenticated or submission.team_id is None:
        return False
    return Membership.objects.filter(team_id=submission.team_id, user_id=user.id).exists()


def can_manage_course(user: Any, course: Course) -> bool:
    """Its instructors and staff: they change it, see its roster and gradebook."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or course.instructors.filter(pk=user.pk).exists())
