"""Stored beat rows checked against the tasks they name (tests/test_stored_contracts.py, and the
migration round trip on a database migrated from empty)."""

from __future__ import annotations

import inspect
import json


def rows_a_task_would_refuse() -> list[str]:
    """Every stored beat row whose task is not registered or does not take its stored arguments."""
    from django_celery_beat.models import PeriodicTask

    from config.celery_app import app

    app.loader.import_default_modules()  # as a worker does at start: every app's tasks
    problems = []
    for row in PeriodicTask.objects.order_by("name"):
        task = app.tasks.get(row.task)
        if task is None:
            problems.append(f"{row.name}: no task named {row.task!r}")
            continue
        try:
            inspect.signature(task.run).bind(*json.loads(row.args or "[]"), **json.loads(row.kwargs or "{}"))
        except TypeError as exc:
            problems.append(f"{row.name}: {row.task}(*{row.args}, **{row.kwargs}): {exc}")
    return problems


def store_the_codes_beat_rows() -> None:
    """The rows the code writes: a pipeline's schedule, and beat's at start (CELERY_BEAT_SCHEDULE and
    celery's own entries, synced into rows by the DatabaseScheduler)."""
    from django_celery_beat.schedulers import DatabaseScheduler

    from config.celery_app import app
    from pipelines.services.pipelines import pipeline_create

    pipeline_create(name="beat contracts", every_seconds=60)
    DatabaseScheduler(app=app)  # beat's start: its setup writes the settings' schedule as rows
