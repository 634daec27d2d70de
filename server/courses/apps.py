from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "server.courses"
    label = "courses"

    def ready(self) -> None:
        from server.courses import signals  # noqa: F401  (a new account claims its invitations)
