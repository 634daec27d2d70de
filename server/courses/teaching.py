"""The instructor's course pages: making a course, its challenges and their
rules, its roster, extensions, announcements, regrade requests and gradebook.
Each view checks the role, parses a form, calls one service and redirects with
what happened."""

from __future__ import annotations

import io
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from server.accounts.decorators import instructor_required
from server.accounts.requests import AuthenticatedRequest
from server.competitions.models import Challenge
from server.courses import services
from server.courses.access import taught_or_403
from server.courses.forms import (
    AnnouncementForm,
    CourseForm,
    ExtensionForm,
    InstructorForm,
    RegradeAnswerForm,
    RosterForm,
    StepAddForm,
    StepRulesForm,
)
from server.courses.gradebook import gradebook, write_detail_csv, write_import_csv
from server.courses.models import Course, CourseChallenge
from server.courses.selectors import (
    announcements_for_course,
    challenges_to_add,
    extensions_of,
    regrades_of,
    steps_of,
)
from server.submissions.errors import SubmissionRefused
from server.submissions.services import regrade_answer


def _errors(form: forms.Form) -> str:
    return " ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {' '.join(map(str, errors))}".lstrip(
            ": "
        )
        for name, errors in form.errors.items()
    )


def _act(request: AuthenticatedRequest, back: str, act: Callable[[], str]) -> HttpResponse:
    """Call ``act`` and show what it says, or why it was refused; then go ``back``."""
    try:
        messages.success(request, act())
    except (services.CourseRefused, SubmissionRefused, forms.ValidationError) as exc:
        messages.error(
            request, " ".join(exc.messages) if isinstance(exc, forms.ValidationError) else str(exc)
        )
    return redirect(back)


@instructor_required
def create(request: AuthenticatedRequest) -> HttpResponse:
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        course = services.course_create(by=request.user, **form.cleaned_data)
        messages.success(
            request, f"{course.title} created: add its challenges, then share the join code."
        )
        return redirect("course-manage", slug=course.slug)
    return render(request, "courses/new.html", {"form": form})


# --- the course's settings, challenges and instructors ------------------------------


def _step_choices(
    steps: list[CourseChallenge], step: CourseChallenge
) -> dict[str, list[tuple[str, str]]]:
    """A step's form's choices: the other steps it may wait for, its challenge's phases."""
    return {
        "prerequisites": [(str(s.pk), s.challenge.title) for s in steps if s.pk != step.pk],
        "phases": [(str(p.pk), p.name) for p in step.challenge.phases.all()],
    }


def _step_forms(course: Course) -> list[tuple[CourseChallenge, StepRulesForm]]:
    steps = steps_of(course=course)
    result = []
    for step in steps:
        initial = {
            "prerequisite": step.prerequisite_id,
            "unlock": step.unlock,
            "phase": step.phase_id,
            "zero_at": step.zero_at,
            "full_at": step.full_at,
            "points": step.points,
        }
        form = StepRulesForm(initial=initial, prefix=f"step{step.pk}", **_step_choices(steps, step))
        result.append((step, form))
    return result


def _addable(course: Course, request: AuthenticatedRequest) -> list[tuple[str, str]]:
    return [
        (c.slug, f"{c.year} · {c.title}")
        for c in challenges_to_add(course=course, user=request.user)
    ]


@instructor_required
def manage(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    course = taught_or_403(request, slug)
    context = {
        "course": course,
        "course_form": CourseForm(
            initial={"title": course.title, "description": course.description}
        ),
        "add_form": StepAddForm(choices=_addable(course, request)),
        "steps": _step_forms(course),
        "instructor_form": InstructorForm(),
        "announcement_form": AnnouncementForm(prefix="announcement"),
        "announcements": announcements_for_course(course=course)[:10],
        "join_url": request.build_absolute_uri(reverse("courses")),
    }
    return render(request, "courses/manage.html", context)


@instructor_required
@require_POST
def settings_save(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    course = taught_or_403(request, slug)
    form = CourseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("course-manage", slug=slug)

    def act() -> str:
        services.course_update(course=course, **form.cleaned_data)
        return "Course saved."

    return _act(request, reverse("course-manage", args=[slug]), act)


@instructor_required
@require_POST
def code_renew(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    course = taught_or_403(request, slug)
    code = services.join_code_renew(course=course)
    messages.success(request, f"New join code: {code}. The old one no longer works.")
    return redirect("course-manage", slug=slug)


@instructor_required
@require_POST
def instructor_add(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    course = taught_or_403(request, slug)
    form = InstructorForm(request.POST)

    def act() -> str:
        if not form.is_valid():
            raise services.CourseRefused(_errors(form))
        user = services.instructor_add(course=course, **form.cleaned_data)
        return f"{user.username} now teaches {course.title}."

    return _act(request, reverse("course-manage", args=[slug]), act)


@instructor_required
@require_POST
def instructor_remove(request: AuthenticatedRequest, slug: str, user_id: int) -> HttpResponse:
    course = taught_or_403(request, slug)

    def act() -> str:
        services.instructor_remove(course=course, user_id=user_id)
        return "Instructor removed."

    return _act(request, reverse("course-manage", args=[slug]), act)


@instructor_required
@require_POST
def step_add(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    course = taught_or_403(request, slug)
    form = StepAddForm(request.POST, choices=_addable(course, request))

    def act() -> str:
        if not form.is_valid():
            raise services.CourseRefused("Pick a challenge to add.")
        challenge = Challenge.objects.get(slug=form.cleaned_data["challenge"])
        services.step_add(course=course, challenge=challenge)
        return f"{challenge.title} added."

    return _act(request, reverse("course-manage", args=[slug]) + "#steps", act)


def _step(course: Course, step_id: int) -> CourseChallenge:
    return get_object_or_404(
        CourseChallenge.objects.select_related("course", "challenge"), course=course, id=step_id
    )


@instructor_required
@require_POST
def step_save(request: AuthenticatedRequest, slug: str, step_id: int) -> HttpResponse:
    course = taught_or_403(request, slug)
    step = _step(course, step_id)
    choices = _step_choices(steps_of(course=course), step)
    form = StepRulesForm(request.POST, prefix=f"step{step.pk}", **choices)

    def act() -> str:
        if not form.is_valid():
            raise services.CourseRefused(_errors(form))
        data = form.cleaned_data
        rules = services.StepRules(
            prerequisite_id=data["prerequisite"],
            unlock=data["unlock"],
            phase_id=data["phase"],
            zero_at=data["zero_at"],
            full_at=data["full_at"],
            points=data["points"],
        )
        services.step_update(step=step, rules=rules)
        return f"{step.challenge.title}: saved."

    return _act(request, reverse("course-manage", args=[slug]) + f"#step-{step.pk}", act)


@instructor_required
@require_POST
def step_move(request: AuthenticatedRequest, slug: str, step_id: int) -> HttpResponse:
    course = taught_or_403(request, slug)
    step = _step(course, step_id)
    services.step_move(step=step, by=-1 if request.POST.get("direction") == "up" else 1)
    return redirect(reverse("course-manage", args=[slug]) + "#steps")


@instructor_required
@require_POST
def step_remove(request: AuthenticatedRequest, slug: str, step_id: int) -> HttpResponse:
    course = taught_or_403(request, slug)
    if services.step_remove(course=course, step_id=step_id):
        messages.success(request, "Challenge removed from the course (its submissions stay).")
    return redirect(reverse("course-manage", args=[slug]) + "#steps")


@instructor_required
@require_POST
def announce(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    course = taught_or_403(request, slug)
    form = AnnouncementForm(request.POST, prefix="announcement")

    def act() -> str:
        if not form.is_valid():
            raise services.CourseRefused(_errors(form))
        services.announcement_post(by=request.user, course=course, **form.cleaned_data)
        return "Announced: it is on the course's pages and on its way to every student's inbox."

    return _act(request, reverse("course-manage", args=[slug]) + "#announce", act)


# --- the roster ---------------------------------------------------------------------


@instructor_required
def roster(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    course = taught_or_403(request, slug)
    form = RosterForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.roster_import(course=course, text=form.roster())
        except (services.CourseRefused, forms.ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    context = {
        "course": course,
        "form": RosterForm() if result else form,
        "result": result,
        "students": course.enrollments.select_related("user").order_by("user__username"),
        "invitations": course.invitations.all(),
    }
    return render(request, "courses/roster.html", context)


@instructor_required
@require_POST
def student_remove(request: AuthenticatedRequest, slug: str, user_id: int) -> HttpResponse:
    course = taught_or_403(request, slug)
    if services.enrollment_remove(course=course, user_id=user_id):
        messages.success(request, "Student removed from the course (their submissions stay).")
    return redirect("course-roster", slug=slug)


@instructor_required
@require_POST
def invitation_delete(request: AuthenticatedRequest, slug: str, invitation_id: int) -> HttpResponse:
    course = taught_or_403(request, slug)
    if services.invitation_delete(course=course, invitation_id=invitation_id):
        messages.success(request, "Invitation withdrawn.")
    return redirect("course-roster", slug=slug)


# --- extensions ---------------------------------------------------------------------


def _phases(course: Course) -> list[tuple[int, str]]:
    return [
        (phase.pk, f"{step.challenge.title} — {phase.name}")
        for step in steps_of(course=course)
        for phase in step.challenge.phases.all()
    ]


@instructor_required
def extensions(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    course = taught_or_403(request, slug)
    form = ExtensionForm(request.POST or None, phases=_phases(course))
    if request.method == "POST" and form.is_valid():
        try:
            whom = services.course_extension_grant(
                course=course, by=request.user, **form.cleaned_data
            )
        except services.CourseRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Extension granted to {whom}.")
            return redirect("course-extensions", slug=slug)
    context = {"course": course, "form": form, "extensions": extensions_of(course=course)}
    return render(request, "courses/extensions.html", context)


@instructor_required
@require_POST
def extension_revoke(request: AuthenticatedRequest, slug: str, extension_id: int) -> HttpResponse:
    course = taught_or_403(request, slug)
    if services.course_extension_revoke(course=course, extension_id=extension_id):
        messages.success(request, "Extension withdrawn.")
    return redirect("course-extensions", slug=slug)


# --- regrade requests ---------------------------------------------------------------


@instructor_required
def regrades(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    course = taught_or_403(request, slug)
    context = {
        "course": course,
        "requests": regrades_of(course=course),
        "form": RegradeAnswerForm(),
    }
    return render(request, "courses/regrades.html", context)


@instructor_required
@require_POST
def regrade_reply(request: AuthenticatedRequest, slug: str, request_id: int) -> HttpResponse:
    course = taught_or_403(request, slug)
    asked = get_object_or_404(regrades_of(course=course), id=request_id)
    form = RegradeAnswerForm(request.POST)

    def act() -> str:
        if not form.is_valid():
            raise services.CourseRefused(_errors(form))
        regrade_answer(request=asked, by=request.user, **form.cleaned_data)
        return f"Answered {asked.user.username}; they get it by email."

    return _act(request, reverse("course-regrades", args=[slug]), act)


# --- the gradebook ------------------------------------------------------------------


@instructor_required
def gradebook_page(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    course = taught_or_403(request, slug)
    return render(
        request, "courses/gradebook.html", {"course": course, "book": gradebook(course=course)}
    )


@instructor_required
def gradebook_csv(request: AuthenticatedRequest, slug: str, detail: bool = False) -> HttpResponse:
    course = taught_or_403(request, slug)
    out = io.StringIO()
    (write_detail_csv if detail else write_import_csv)(out, gradebook(course=course))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"{course.slug}-gradebook{'-detail' if detail else ''}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
