from django.contrib import admin

from server.competitions.models import Baseline, Challenge, Disqualification, Phase


class BaselineInline(admin.TabularInline):
    model = Baseline
    extra = 0


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ("slug", "year", "title", "owner", "data_status", "is_published")
    list_filter = ("is_published", "data_status")
    inlines = [PhaseInline, BaselineInline]


@admin.register(Disqualification)
class DisqualificationAdmin(admin.ModelAdmin):
    list_display = ("challenge", "user", "reason", "created_by", "created_at")
    list_filter = ("challenge",)
    raw_id_fields = ("user", "created_by")
