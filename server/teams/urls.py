from django.urls import path

from server.teams import views

urlpatterns = [
    path("challenges/<slug:slug>/team/create/", views.create, name="team-create"),
    path("challenges/<slug:slug>/team/join/", views.join, name="team-join"),
    path("challenges/<slug:slug>/team/leave/", views.leave, name="team-leave"),
]
