from django.urls import path

from server.competitions import views
from server.leaderboards import views as leaderboard_views
from server.submissions import views as submission_views

urlpatterns = [
    path("", views.home, name="home"),
    path("challenges/<slug:slug>/", views.challenge_detail, name="challenge"),
    path("challenges/<slug:slug>/phase/", views.phase_box, name="challenge-phase"),
    path("challenges/<slug:slug>/data.zip", views.download_data, name="challenge-data"),
    path("challenges/<slug:slug>/starter.zip", views.download_starter, name="challenge-starter"),
    path("challenges/<slug:slug>/submit/", submission_views.submit, name="submit"),
    path("challenges/<slug:slug>/leaderboard/", leaderboard_views.leaderboard, name="leaderboard"),
    path(
        "challenges/<slug:slug>/leaderboard.csv",
        leaderboard_views.export_csv,
        name="leaderboard-csv",
    ),
]
