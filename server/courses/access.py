"""Who reaches a course from a request: 404 for a course one neither teaches nor
takes (its existence does not leak), 403 for a student on a teaching page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from server.accounts.requests import AuthenticatedRequest
from server.accounts.roles import can_manage_course
from server.courses.models import Course
from server.courses.selectors import course_for


def course_or_404(request: AuthenticatedRequest, slug: str) -> Course:
    try:
        return course_for(slug=slug, user=request.user)
    except Course.DoesNotExist as exc:
        raise Http404("No such course") from exc


def taught_or_403(request: AuthenticatedRequest, slug: str) -> Course:
    course = course_or_404(request, slug)
    if not can_manage_course(request.user, course):
        raise PermissionDenied("Only the course's instructors and staff manage it.")
    return course
