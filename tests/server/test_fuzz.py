"""Every view, fed random query parameters and form fields by hypothesis, as every
role: nothing answers with a server error. (The world is the role matrix's.)"""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.server.test_roles_matrix import CASES, ROLES, world  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db
NAMES = [
    "page",
    "phase",
    "board",
    "user",
    "state",
    "next",
    "selected",
    "confirm",
    "daily_limit",
    "max_final",
    "is_published",
    "name",
    "starts_at",
    "ends_at",
    "username",
    "reason",
    "email",
    "password",
    "new_password1",
    "code",
    "bundle",
    "title",
    "body",
    "text",
    "answer",
    "rescore",
    "team_size",
    "teams_lock_at",
    "cpu_budget_seconds",
    "gpu_budget_seconds",
    "budget_period",
    "late_until",
    "late_penalty_percent",
    "direction",
    "challenge",
    "file",
    "email_when_run_ends",
    "step1-prerequisite",
    "step1-unlock",
    "step1-phase",
    "step1-zero_at",
    "step1-full_at",
    "step1-points",
]
TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "²",
            "1e309",
            "nan",
            "999999999999999999999",
            "../..",
            "https://elsewhere.example/",
            "2099-13-45T99:99",
            "\x00",
            "private",
        ]
    ),
)
PARAMS = st.dictionaries(st.one_of(st.sampled_from(NAMES), st.text(max_size=8)), TEXT, max_size=6)
FUZZED = [case for case in CASES if not case.name.startswith("admin:")]


@pytest.mark.parametrize("case", FUZZED, ids=lambda case: case.id)
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(role=st.sampled_from(ROLES), query=PARAMS, form=PARAMS)
@example(role="student", query={"phase": "²", "page": "-1", "board": "private"}, form={})
def test_no_view_answers_random_input_with_a_server_error(client, world, case, role, query, form):  # noqa: F811
    users, objects = world
    client.logout()
    if role != "anonymous":
        client.force_login(users[role])
    url = reverse(case.name, args=[objects[arg] for arg in case.args])
    got = client.get(url, query)
    assert got.status_code < 500, (role, url, query)
    posted = client.post(url, form)
    assert posted.status_code < 500, (role, url, form)
