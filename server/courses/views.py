"""A student's course pages: their courses, joining one with a code, and a
course's challenges in order with what unlocks each."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from server.accounts.requests import AuthenticatedRequest
from server.accounts.roles import can_manage_course, is_instructor
from server.courses.access import course_or_404
from server.courses.forms import JoinForm
from server.courses.selectors import (
    announcements_for_course,
    courses_enrolled,
    courses_taught,
    steps_for,
)
from server.courses.services import CourseRefused, course_join


@login_required
def index(request: AuthenticatedRequest) -> HttpResponse:
    context = {
        "enrolled": courses_enrolled(user=request.user),
        "taught": courses_taught(user=request.user),
        "may_create": is_instructor(request.user),
        "form": JoinForm(),
    }
    return render(request, "courses/index.html", context)


@login_required
@require_POST
def join(request: AuthenticatedRequest) -> HttpResponse:
    form = JoinForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the join code your instructor gave you.")
        return redirect("courses")
    try:
        course = course_join(user=request.user, code=form.cleaned_data["code"])
    except CourseRefused as exc:
        messages.error(request, str(exc))
        return redirect("courses")
    messages.success(request, f"You are enrolled in {course.title}.")
    return redirect("course", slug=course.slug)


@login_required
def detail(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    course = course_or_404(request, slug)
    context = {
        "course": course,
        "steps": steps_for(course=course, user=request.user),
        "announcements": announcements_for_course(course=course)[:10],
        "teaches": can_manage_course(request.user, course),
    }
    return render(request, "courses/course.html", context)
