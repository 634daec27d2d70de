from django.urls import path

from server.leaderboards import views

urlpatterns = [
    path("challenges/<slug:slug>/leaderboard/", views.leaderboard, name="leaderboard"),
    path("challenges/<slug:slug>/leaderboard.csv", views.export_csv, name="leaderboard-csv"),
]
