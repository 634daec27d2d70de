"""Courses: challenges in an order, run by instructors for enrolled students,
graded by a rule per challenge, with announcements."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Course(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Students join with it; instructors may change it to close the door.
    join_code = models.CharField(max_length=16, unique=True)
    instructors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="courses_taught")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Enrollment(models.Model):
    course = models.ForeignKey(Course, related_name="enrollments", on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="enrollments", on_delete=models.CASCADE
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="one_enrollment_per_course")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.course_id}"


class Invitation(models.Model):
    """A roster address with no account yet: the account made with it is enrolled."""

    course = models.ForeignKey(Course, related_name="invitations", on_delete=models.CASCADE)
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "email"]
        constraints = [
            models.UniqueConstraint(fields=["course", "email"], name="one_invitation_per_address")
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.course_id}"


class CourseChallenge(models.Model):
    """A challenge as a step of a course: its place, what unlocks it, how it is graded."""

    class Unlock(models.TextChoices):
        SCORED = "scored", "a scored submission on the prerequisite"
        BEAT = "beat", "beating the prerequisite's result to beat"

    course = models.ForeignKey(Course, related_name="steps", on_delete=models.CASCADE)
    challenge = models.ForeignKey(
        "competitions.Challenge", related_name="course_steps", on_delete=models.CASCADE
    )
    position = models.PositiveSmallIntegerField(default=0)
    prerequisite = models.ForeignKey(
        "self", null=True, blank=True, related_name="unlocks", on_delete=models.SET_NULL
    )
    unlock = models.CharField(max_length=8, choices=Unlock.choices, default=Unlock.BEAT)
    # The phase whose final submissions are graded (empty: the challenge's last).
    phase = models.ForeignKey(
        "competitions.Phase", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    # The grade: 0 points at ``zero_at``, every point at ``full_at``, linear between
    # and capped (empty: the first baseline and the result to beat).
    zero_at = models.FloatField(null=True, blank=True)
    full_at = models.FloatField(null=True, blank=True)
    points = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["course", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "challenge"], name="challenge_once_per_course"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course_id}: {self.challenge_id}"


class Announcement(models.Model):
    """News for a course's students, or for everyone in a challenge; shown on its
    pages and emailed."""

    course = models.ForeignKey(
        Course, null=True, blank=True, related_name="announcements", on_delete=models.CASCADE
    )
    challenge = models.ForeignKey(
        "competitions.Challenge",
        null=True,
        blank=True,
        related_name="announcements",
        on_delete=models.CASCADE,
    )
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_to = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(course__isnull=True) ^ models.Q(challenge__isnull=True),
                name="announcement_for_a_course_or_a_challenge",
            )
        ]

    def __str__(self) -> str:
        return self.title
