from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """The instructors' view of the queue and the workers, and the health checks."""

    name = "server.operations"
    label = "operations"
