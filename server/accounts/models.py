from django.contrib.auth.models import AbstractUser
from django.db import models
from knox.models import AbstractAuthToken


# The plugin cannot type the reverse manager of ApiToken.user, whose base class
# (knox's) has no types.
class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A participant; instructors create and manage challenges, staff everything."""

    is_instructor = models.BooleanField(default=False)
    # An email when a run that took longer than settings.RUN_EMAIL_AFTER_SECONDS ends.
    email_when_run_ends = models.BooleanField(default=True)

    # Staff may do everything, in the site and in Django's admin: no per-model
    # permissions to hand out one by one (see server.accounts.roles).
    def has_perm(self, perm: str, obj: models.Model | None = None) -> bool:
        return bool(self.is_active and self.is_staff) or super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        return bool(self.is_active and self.is_staff) or super().has_module_perms(app_label)


class ApiToken(AbstractAuthToken):
    """A personal token for the REST API and the command-line client. A user holds
    several (one per laptop or notebook), each named, expiring and revocable.
    Only its digest is stored (knox): the token itself is shown once, at creation."""

    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"
