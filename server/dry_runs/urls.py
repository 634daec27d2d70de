from django.urls import path

from server.dry_runs import views

urlpatterns = [
    path("challenges/<slug:slug>/dry-run/", views.start, name="dry-run-start"),
    path("dry-runs/<int:dry_run_id>/", views.detail, name="dry-run"),
    path("dry-runs/<int:dry_run_id>/status/", views.status, name="dry-run-status"),
]
