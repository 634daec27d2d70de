"""The pieces of the role-by-URL matrices (the pages' and the API's): the roles,
a row of the matrix, the users of each role, and every named route of the site."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

from server.accounts.models import User
from tests.support.factories import make_user

# Anonymous; the student who made the submission; another student; an instructor
# who does not own the challenge; its owner (an instructor); staff.
ROLES = ("anonymous", "student", "other_student", "instructor", "owner", "staff")


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]  # names of objects of the world, resolved per test
    expected: tuple[object, ...]  # one outcome per role, in ROLES order
    method: str = "get"
    data: dict[str, object] = field(default_factory=dict)
    data_args: dict[str, str] = field(default_factory=dict)  # form field -> a world object's name
    query: str = ""
    label: str = ""

    @property
    def id(self) -> str:
        return self.label or self.name

    def outcome_for(self, role: str) -> object:
        return self.expected[ROLES.index(role)]


def every(outcome: object) -> tuple[object, ...]:
    return (outcome,) * len(ROLES)


def users_of_each_role() -> dict[str, User]:
    """Every signed-in role's user (the anonymous visitor has none)."""
    return {
        "student": make_user("student"),
        "other_student": make_user("other_student"),
        "instructor": make_user("instructor", instructor=True),
        "owner": make_user("owner", instructor=True),
        "staff": make_user("staff", staff=True),
    }


def named_routes(resolver: URLResolver | None = None, namespace: str = "") -> dict[str, URLPattern]:
    """Every named URL of the site, by its full name ("api:submission")."""
    routes: dict[str, URLPattern] = {}
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            routes |= named_routes(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            routes[f"{namespace}{pattern.name}"] = pattern
    return routes
