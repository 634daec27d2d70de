"""The Milestones client: ``Client`` for notebooks and scripts, ``milestones`` for terminals."""

from milestones_client.client import ApiError, Client

__all__ = ["ApiError", "Client"]
