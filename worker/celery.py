"""The Celery app. Tasks live in worker.tasks; configuration comes from Django's
settings (the CELERY_* names), so the environment is still read in one place."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.milestones.settings")

app = Celery("milestones", include=["worker.tasks"])
app.config_from_object("django.conf:settings", namespace="CELERY")
