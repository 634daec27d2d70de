from django.urls import path

from server.submissions import views

urlpatterns = [
    path("submissions/<int:submission_id>/", views.detail, name="submission"),
    path("submissions/<int:submission_id>/status/", views.status, name="submission-status"),
    path("submissions/<int:submission_id>/cancel/", views.cancel, name="submission-cancel"),
]
