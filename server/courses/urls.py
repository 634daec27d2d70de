"""Course pages, under /courses/: a student's, then the instructor's."""

from django.urls import path

from server.courses import teaching, views

urlpatterns = [
    path("", views.index, name="courses"),
    path("join/", views.join, name="course-join"),
    path("new/", teaching.create, name="course-create"),
    path("<slug:slug>/", views.detail, name="course"),
    path("<slug:slug>/manage/", teaching.manage, name="course-manage"),
    path("<slug:slug>/manage/settings/", teaching.settings_save, name="course-settings"),
    path("<slug:slug>/manage/code/", teaching.code_renew, name="course-code"),
    path("<slug:slug>/manage/instructors/", teaching.instructor_add, name="course-instructor-add"),
    path(
        "<slug:slug>/manage/instructors/<int:user_id>/remove/",
        teaching.instructor_remove,
        name="course-instructor-remove",
    ),
    path("<slug:slug>/manage/steps/", teaching.step_add, name="course-step-add"),
    path("<slug:slug>/manage/steps/<int:step_id>/", teaching.step_save, name="course-step-save"),
    path(
        "<slug:slug>/manage/steps/<int:step_id>/move/", teaching.step_move, name="course-step-move"
    ),
    path(
        "<slug:slug>/manage/steps/<int:step_id>/remove/",
        teaching.step_remove,
        name="course-step-remove",
    ),
    path("<slug:slug>/manage/announce/", teaching.announce, name="course-announce"),
    path("<slug:slug>/roster/", teaching.roster, name="course-roster"),
    path(
        "<slug:slug>/roster/<int:user_id>/remove/",
        teaching.student_remove,
        name="course-student-remove",
    ),
    path(
        "<slug:slug>/roster/invitations/<int:invitation_id>/delete/",
        teaching.invitation_delete,
        name="course-invitation-delete",
    ),
    path("<slug:slug>/extensions/", teaching.extensions, name="course-extensions"),
    path(
        "<slug:slug>/extensions/<int:extension_id>/revoke/",
        teaching.extension_revoke,
        name="course-extension-revoke",
    ),
    path("<slug:slug>/regrades/", teaching.regrades, name="course-regrades"),
    path(
        "<slug:slug>/regrades/<int:request_id>/answer/",
        teaching.regrade_reply,
        name="course-regrade-answer",
    ),
    path("<slug:slug>/gradebook/", teaching.gradebook_page, name="course-gradebook"),
    path("<slug:slug>/gradebook.csv", teaching.gradebook_csv, name="course-gradebook-csv"),
    path(
        "<slug:slug>/gradebook-detail.csv",
        teaching.gradebook_csv,
        {"detail": True},
        name="course-gradebook-detail-csv",
    ),
]
