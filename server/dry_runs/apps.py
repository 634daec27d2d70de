from django.apps import AppConfig


class DryRunsConfig(AppConfig):
    name = "server.dry_runs"
    label = "dry_runs"
