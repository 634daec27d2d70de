from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from server.accounts.models import ApiToken, User


@admin.register(User)
class MilestonesUserAdmin(UserAdmin):
    list_display = ("username", "email", "is_instructor", "is_staff", "date_joined")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Milestones", {"fields": ("is_instructor",)}))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made by their owners on the profile page; here staff see and revoke them."""

    list_display = ("name", "user", "token_key", "created", "expiry")
    search_fields = ("user__username", "name", "token_key")
    readonly_fields = ("name", "user", "token_key", "created", "expiry")
    exclude = ("digest",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
