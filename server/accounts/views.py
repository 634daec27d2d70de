"""Signing up, the password pages (Django's own views, with the site's
templates; sign-up and reset requests are rate limited per address), and the
profile page's personal API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from server.accounts.forms import SignupForm, TokenForm
from server.accounts.models import User
from server.accounts.requests import AuthenticatedRequest
from server.accounts.tokens import TokenRefused, token_create, token_revoke, tokens_of
from server.site.redirects import safe_next


def _signups(group: str, request: HttpRequest) -> str:
    return f"{settings.SIGNUPS_PER_HOUR}/h"


def _resets(group: str, request: HttpRequest) -> str:
    return f"{settings.PASSWORD_RESETS_PER_HOUR}/h"


@ratelimit(key="ip", rate=_signups, method="POST", block=True)
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(safe_next(request, fallback=str(reverse_lazy("home"))))
    return render(request, "accounts/signup.html", {"form": form})


@method_decorator(ratelimit(key="ip", rate=_resets, method="POST", block=True), name="post")
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password-reset-done")


def too_many_requests(request: HttpRequest, exception: Exception) -> HttpResponse:
    """What a rate-limited request gets: 429, and when to try again."""
    return render(request, "accounts/too_many_requests.html", status=429)


# A new token waits here, in the session, for the one page view that shows it.
NEW_TOKEN_KEY = "new_api_token"


@login_required
def profile(request: AuthenticatedRequest) -> HttpResponse:
    """The profile page: personal API tokens, made and revoked here. A new token
    is shown once, on the page the creation redirects to (reloading it does not
    make another), then forgotten: only its digest is kept."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _, token = token_create(user=request.user, **form.cleaned_data)
        except TokenRefused as exc:
            form.add_error(None, str(exc))
        else:
            request.session[NEW_TOKEN_KEY] = token
            return redirect("profile")
    context = {
        "form": form,
        "tokens": tokens_of(user=request.user),
        "new_token": request.session.pop(NEW_TOKEN_KEY, ""),
        "server_url": request.build_absolute_uri("/").rstrip("/"),
        "run_email_minutes": max(settings.RUN_EMAIL_AFTER_SECONDS // 60, 1),
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def revoke_token(request: AuthenticatedRequest, token_key: str) -> HttpResponse:
    if token_revoke(user=request.user, token_key=token_key):
        messages.success(request, "Token revoked: it no longer works.")
    else:
        messages.error(request, "That token no longer exists.")
    return redirect("profile")


@login_required
@require_POST
def notifications(request: AuthenticatedRequest) -> HttpResponse:
    """Turn the email at the end of a long run on or off."""
    wanted = request.POST.get("email_when_run_ends") == "on"
    User.objects.filter(pk=request.user.pk).update(email_when_run_ends=wanted)
    messages.success(
        request,
        "You will get an email when a long run ends."
        if wanted
        else "No more emails when a run ends.",
    )
    return redirect("profile")
