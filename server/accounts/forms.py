from django import forms
from django.contrib.auth.forms import UserCreationForm

from server.accounts.models import User
from server.accounts.tokens import DEFAULT_LIFETIME_DAYS, LIFETIMES_DAYS


class SignupForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("username", "email")


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="Say where you will use it: “laptop”, “lab notebook”.",
        widget=forms.TextInput(attrs={"aria-describedby": "id_name_helptext"}),
    )
    lifetime_days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        choices=[(days, f"{days} days") for days in LIFETIMES_DAYS],
        initial=DEFAULT_LIFETIME_DAYS,
    )
