"""The instructor's pages, under /instructor/."""

from django.urls import path

from server.instructor import views

urlpatterns = [
    path("", views.dashboard, name="instructor-dashboard"),
    path("upload/", views.upload, name="challenge-upload"),
    path("challenges/<slug:slug>/", views.challenge, name="manage-challenge"),
    path("challenges/<slug:slug>/preparation/", views.preparation, name="manage-preparation"),
    path("challenges/<slug:slug>/submissions/", views.submissions, name="manage-submissions"),
    path("challenges/<slug:slug>/rules/", views.rules, name="manage-rules"),
    path("challenges/<slug:slug>/phases/", views.phase_add, name="manage-phase-add"),
    path(
        "challenges/<slug:slug>/phases/<int:phase_id>/delete/",
        views.phase_delete,
        name="manage-phase-delete",
    ),
    path("challenges/<slug:slug>/rescore/", views.rescore_all, name="manage-rescore-all"),
    path("challenges/<slug:slug>/disqualify/", views.disqualify, name="manage-disqualify"),
    path(
        "challenges/<slug:slug>/disqualifications/<int:disqualification_id>/delete/",
        views.reinstate,
        name="manage-reinstate",
    ),
    path("challenges/<slug:slug>/announce/", views.announce, name="manage-announce"),
    path(
        "challenges/<slug:slug>/extensions/",
        views.extension_grant,
        name="manage-extension-grant",
    ),
    path(
        "challenges/<slug:slug>/extensions/<int:extension_id>/revoke/",
        views.extension_revoke,
        name="manage-extension-revoke",
    ),
    path(
        "challenges/<slug:slug>/regrades/<int:request_id>/answer/",
        views.regrade_answer,
        name="manage-regrade-answer",
    ),
]
