from django.apps import AppConfig


class InstructorConfig(AppConfig):
    """The instructor's pages under /instructor/: uploading bundles and managing
    challenges. No models of its own: it calls the competitions' and submissions'
    services."""

    name = "server.instructor"
    label = "instructor"
