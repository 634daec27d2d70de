from django.urls import path

from server.operations import views

urlpatterns = [
    path("operations/", views.dashboard, name="operations-dashboard"),
    path("operations/live/", views.live, name="operations-live"),
    path("healthz", views.health, name="operations-health"),
]
