from django.apps import AppConfig


class CompetitionsConfig(AppConfig):
    name = "server.competitions"
    label = "competitions"
