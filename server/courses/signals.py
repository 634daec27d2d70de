"""A new account whose address is on a course's roster is enrolled in it."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from server.accounts.models import User
from server.courses.services import invitations_claim


@receiver(post_save, sender=User, dispatch_uid="courses-claim-invitations")
def claim_invitations(sender: type[User], instance: User, created: bool, **kwargs: Any) -> None:
    if created and instance.email:
        invitations_claim(user=instance)
