from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("server.accounts.urls")),
    path("api/", include("server.api.urls")),
    path("instructor/", include("server.instructor.urls")),
    path("", include("server.competitions.urls")),
    path("", include("server.submissions.urls")),
    path("", include("server.dry_runs.urls")),
    path("", include("server.leaderboards.urls")),
    path("", include("server.operations.urls")),
    path("", include("server.teams.urls")),
    path("courses/", include("server.courses.urls")),
]
