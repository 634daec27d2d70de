from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A participant; instructors create and manage challenges, staff everything."""

    is_instructor = models.BooleanField(default=False)

    # Staff may do everything, in the site and in Django's admin: no per-model
    # permissions to hand out one by one (see server.accounts.roles).
    def has_perm(self, perm: str, obj: object = None) -> bool:
        return bool(self.is_active and self.is_staff) or super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        return bool(self.is_active and self.is_staff) or super().has_module_perms(app_label)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
