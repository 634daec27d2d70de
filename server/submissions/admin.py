from django.contrib import admin

from server.submissions.models import Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("id", "challenge", "user", "state", "public_score", "created_at")
    list_filter = ("state", "challenge")
    readonly_fields = ("log_tail", "failure_reason")
