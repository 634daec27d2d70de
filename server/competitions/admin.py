from django.contrib import admin

from server.competitions.models import Baseline, Challenge


class BaselineInline(admin.TabularInline):
    model = Baseline
    extra = 0


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ("slug", "year", "title", "runtime", "gpu", "data_status", "is_published")
    inlines = [BaselineInline]
