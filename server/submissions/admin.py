from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from server.leaderboards import standings
from server.submissions.models import Submission
from server.submissions.services import submission_rescore


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("id", "challenge", "user", "state", "public_score", "selected", "created_at")
    list_filter = ("state", "challenge")
    search_fields = ("user__username",)
    raw_id_fields = ("user",)
    readonly_fields = ("log_tail", "failure_reason")
    actions = ["rescore"]

    @admin.action(description="Rescore (run the stored code again)")
    def rescore(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        moved = sum(submission_rescore(submission=s) for s in queryset)
        messages.info(request, f"{moved} submission(s) will be run again.")

    def save_model(self, request: HttpRequest, obj: Submission, form: Any, change: bool) -> None:
        """An edit by hand (a score, a state) moves its entrant on the boards too."""
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            standings.rebuild(challenge=obj.challenge)

    def delete_model(self, request: HttpRequest, obj: Submission) -> None:
        with transaction.atomic():
            challenge = obj.challenge
            super().delete_model(request, obj)
            standings.rebuild(challenge=challenge)
