from django.core.management.base import BaseCommand

from server.accounts.services import instructor_ensure


class Command(BaseCommand):
    help = "Create the instructor account if it does not exist and print its password once."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--username", default="instructor")
        parser.add_argument("--email", default="")

    def handle(self, *args: object, **options: str) -> None:
        user, password = instructor_ensure(username=options["username"], email=options["email"])
        if password is None:
            self.stdout.write(f"Instructor account: {user.username} (exists; password unchanged)")
        else:
            self.stdout.write(f"Instructor account: {user.username}  password: {password}")
