from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A participant; instructors create and manage challenges, staff everything."""

    is_instructor = models.BooleanField(default=False)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
