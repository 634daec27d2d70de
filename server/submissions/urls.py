from django.urls import path

from server.submissions import views

urlpatterns = [
    path("challenges/<slug:slug>/submit/", views.submit, name="submit"),
    path("me/submissions/", views.mine, name="my-submissions"),
    path("submissions/<int:submission_id>/", views.detail, name="submission"),
    path("submissions/<int:submission_id>/status/", views.status, name="submission-status"),
    path("submissions/<int:submission_id>/live/", views.live, name="submission-live"),
    path("submissions/<int:submission_id>/events/", views.events, name="submission-events"),
    path("submissions/<int:submission_id>/log/", views.log, name="submission-log"),
    path("submissions/<int:submission_id>/code/", views.code, name="submission-code"),
    path("submissions/<int:submission_id>/cancel/", views.cancel, name="submission-cancel"),
    path("submissions/<int:submission_id>/select/", views.select, name="submission-select"),
    path("submissions/<int:submission_id>/rescore/", views.rescore, name="submission-rescore"),
    path("submissions/<int:submission_id>/regrade/", views.regrade, name="submission-regrade"),
    path("submissions/<int:submission_id>/release/", views.release, name="submission-release"),
    path(
        "submissions/<int:submission_id>/disqualify/",
        views.disqualify,
        name="submission-disqualify",
    ),
]
