from django.contrib import admin

from server.dry_runs.models import DryRun


@admin.register(DryRun)
class DryRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "user", "challenge", "state", "created_at", "wall_seconds")
    list_filter = ("state", "challenge")
    readonly_fields = [field.name for field in DryRun._meta.fields]
