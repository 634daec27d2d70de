"""Personal API tokens: kept as a digest, named, expiring, revocable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from server.accounts.models import ApiToken
from server.accounts.tokens import (
    MAX_TOKENS_PER_USER,
    TokenRefused,
    token_create,
    token_revoke,
    tokens_of,
)
from tests.support.factories import make_user

pytestmark = pytest.mark.django_db


def _me(token: str) -> int:
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return int(client.get("/api/me/").status_code)


def test_a_token_is_kept_as_a_digest_only(site):
    row, token = token_create(user=make_user("ada"), name="laptop", lifetime_days=30)
    assert token.startswith("mst_")
    stored = ApiToken.objects.filter(pk=row.pk).values().get()
    assert token not in {str(value) for value in stored.values()}
    assert _me(token) == 200


def test_a_revoked_token_stops_working_at_once(site):
    ada = make_user("ada")
    row, token = token_create(user=ada, name="laptop", lifetime_days=30)
    assert not token_revoke(user=make_user("bob"), token_key=row.token_key)  # not bob's
    assert _me(token) == 200
    assert token_revoke(user=ada, token_key=row.token_key)
    assert _me(token) == 401


def test_an_expired_token_is_refused_and_no_longer_listed(site):
    ada = make_user("ada")
    row, token = token_create(user=ada, name="laptop", lifetime_days=7)
    ApiToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    assert list(tokens_of(user=ada)) == []
    assert _me(token) == 401


@pytest.mark.parametrize(
    ("name", "days", "reason"),
    [("  ", 30, "Name the token"), ("laptop", 3650, "A token lives 7, 30, 90, 365 days")],
)
def test_a_token_needs_a_name_and_a_lifetime_offered(site, name: str, days: int, reason: str):
    with pytest.raises(TokenRefused, match=reason):
        token_create(user=make_user("ada"), name=name, lifetime_days=days)


def test_one_holds_a_bounded_number_of_tokens(site):
    ada = make_user("ada")
    for n in range(MAX_TOKENS_PER_USER):
        token_create(user=ada, name=f"machine {n}", lifetime_days=7)
    with pytest.raises(TokenRefused, match="revoke one first"):
        token_create(user=ada, name="one more", lifetime_days=7)


def test_staff_see_the_tokens_in_the_admin_and_no_other_token_model(client, site):
    staff = make_user("staff", staff=True)
    token_create(user=staff, name="laptop", lifetime_days=7)
    client.force_login(staff)
    index = client.get("/admin/")
    assert b"Api tokens" in index.content and b"knox" not in index.content.lower()
    assert client.get("/admin/accounts/apitoken/").status_code == 200
