from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("server.accounts.urls")),
    path("instructor/", include("server.competitions.manage_urls")),
    path("", include("server.submissions.urls")),
    path("", include("server.competitions.urls")),
    path("", include("server.operations.urls")),
]
