from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from server.accounts.models import User


@admin.register(User)
class MilestonesUserAdmin(UserAdmin):
    list_display = ("username", "email", "is_instructor", "is_staff", "date_joined")
    fieldsets = (*UserAdmin.fieldsets, ("Milestones", {"fields": ("is_instructor",)}))
