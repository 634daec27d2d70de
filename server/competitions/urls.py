from django.urls import path

from server.competitions import views

urlpatterns = [
    path("", views.home, name="home"),
    path("challenges/<slug:slug>/", views.challenge_detail, name="challenge"),
    path("challenges/<slug:slug>/phase/", views.phase_box, name="challenge-phase"),
    path("challenges/<slug:slug>/data.zip", views.download_data, name="challenge-data"),
    path("challenges/<slug:slug>/starter.zip", views.download_starter, name="challenge-starter"),
]
