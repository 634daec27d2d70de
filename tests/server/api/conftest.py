"""The API's tests: clients that carry a personal token, as the command-line
client does (the same token a participant makes on their profile page)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from server.accounts.models import User
from server.accounts.tokens import token_create


def token_client(user: User | None) -> APIClient:
    """An API client signed in with a new token of ``user`` (anonymous for None)."""
    client = APIClient()
    if user is not None:
        _, token = token_create(user=user, name="tests", lifetime_days=30)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def api_client_for():  # type: ignore[no-untyped-def]
    return token_client
