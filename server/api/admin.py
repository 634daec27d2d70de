"""knox registers its default token model in the admin; it is swapped out for
``accounts.ApiToken`` (and has no table), so the admin lists only ours. (This
app comes after knox in INSTALLED_APPS: its admin module is read after knox's.)"""

from django.contrib import admin
from knox.models import AuthToken

if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)
