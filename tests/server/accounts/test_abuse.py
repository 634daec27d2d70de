"""Logins, sign-ups and password resets hold under abuse: a username on an address
is locked out after a few wrong passwords (the site's login and the admin's), an
address gets a few sign-ups and resets an hour, and ``next`` never leads away."""

from __future__ import annotations

import pytest
from django.core import mail

from server.accounts.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "a-Good-pass-41"


@pytest.fixture
def ada(site):  # type: ignore[no-untyped-def]
    return User.objects.create_user(username="ada", email="ada@example.org", password=PASSWORD)


def _login(client, username: str, password: str, url: str = "/accounts/login/"):  # type: ignore[no-untyped-def]
    return client.post(url, {"username": username, "password": password})


def test_after_five_wrong_passwords_the_right_one_is_refused(client, ada, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    statuses = [_login(client, "ada", "wrong").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the form again, then the lock
    locked = _login(client, "ada", PASSWORD)
    assert locked.status_code == 429 and b"Too many failed attempts" in locked.content
    assert "_auth_user_id" not in client.session


def test_a_lockout_is_for_that_account_and_address_only(client, ada):
    User.objects.create_user(username="bob", password=PASSWORD)
    for _ in range(5):
        _login(client, "ada", "wrong")
    assert _login(client, "bob", PASSWORD).status_code == 302
    other_address = client.post(
        "/accounts/login/", {"username": "ada", "password": PASSWORD}, REMOTE_ADDR="10.9.8.7"
    )
    assert other_address.status_code == 302


def test_the_admin_login_is_locked_out_too(client, site):
    User.objects.create_superuser(username="root", email="r@example.org", password=PASSWORD)
    for _ in range(5):
        _login(client, "root", "wrong", url="/admin/login/?next=/admin/")
    assert _login(client, "root", PASSWORD, url="/admin/login/?next=/admin/").status_code == 429


def test_one_address_gets_five_signups_an_hour(client, site):
    def signup(name: str):  # type: ignore[no-untyped-def]
        data = {"username": name, "email": "", "password1": PASSWORD, "password2": PASSWORD}
        return client.post("/accounts/signup/", data)

    for n in range(5):
        response = signup(f"new{n}")
        assert response.status_code == 302, response.content[:300]
        client.logout()
    sixth = signup("new5")
    assert sixth.status_code == 429
    assert not User.objects.filter(username="new5").exists()


def test_signup_never_redirects_off_the_site(client, site):
    data = {"username": "eve", "email": "", "password1": PASSWORD, "password2": PASSWORD}
    away = client.post("/accounts/signup/?next=https://elsewhere.example/", data)
    assert away.status_code == 302 and away["Location"] == "/"
    client.logout()
    data["username"] = "eve2"
    here = client.post("/accounts/signup/?next=/challenges/x/", data)
    assert here["Location"] == "/challenges/x/"


def test_a_password_is_reset_by_email(client, ada):
    response = client.post("/accounts/password/reset/", {"email": "ada@example.org"})
    assert response.status_code == 302
    [message] = mail.outbox
    link = next(line for line in message.body.splitlines() if "/password/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form = client.get("/" + path, follow=True)
    assert b"Choose a new password" in form.content
    new = "an-Other-pass-52"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert _login(client, "ada", new).status_code == 302


def test_one_address_gets_five_password_resets_an_hour(client, ada):
    for _ in range(5):
        assert (
            client.post("/accounts/password/reset/", {"email": "x@example.org"}).status_code == 302
        )
    assert client.post("/accounts/password/reset/", {"email": "x@example.org"}).status_code == 429
