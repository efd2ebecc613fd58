"""The Celery app: `celery -A config worker|beat`. Settings are the CELERY_* names in config.settings."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("vicbot")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["vicbot", "pipelines", "evaluations"])


@signals.task_prerun.connect
def _drop_unusable_database_connections(sender=None, **kwargs) -> None:
    """What Django does before each request, before each task: with CELERY_DB_REUSE_MAX the
    connection outlives the task, so one that broke (or passed CONN_MAX_AGE) is closed here."""
    from django.db import close_old_connections, connection

    if getattr(sender.request, "is_eager", False) or connection.in_atomic_block:
        return  # inside a caller's transaction (eager tasks, tests): never touch its connection
    close_old_connections()
