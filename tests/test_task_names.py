"""One module owns every task name, and every name used anywhere is a registered task."""

import re

from django.conf import settings

from config.celery_app import app
from config.enqueue import Task
from tests.support.worker import REPO

PRODUCT_PACKAGES = ("config", "vicbot", "pipelines", "tools", "integrations")


def registered() -> set[str]:
    app.loader.import_default_modules()  # as a worker does at start
    return set(app.tasks)


def test_every_task_name_of_the_enqueue_module_is_registered():
    assert {task.value for task in Task} - registered() == set()


def test_every_beat_schedule_names_a_registered_task():
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} - registered() == set()


def test_no_module_but_the_enqueue_module_spells_a_task_name():
    """Migrations, services and admin name tasks through config.enqueue.Task, so a rename is one edit."""
    names = {task.value for task in Task}
    offenders = []
    for package in PRODUCT_PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            if path == REPO / "config" / "enqueue.py":
                continue
            for literal in re.findall(r"""["']([a-z_]+\.[a-z_]+)["']""", path.read_text()):
                if literal in names:
                    offenders.append(f"{path.relative_to(REPO)}: {literal}")
    assert offenders == []


def test_the_pipeline_schedules_a_registered_task(db):
    from pipelines.services.pipelines import pipeline_create

    pipeline = pipeline_create(name="names", every_seconds=60)
    assert pipeline.schedule.task in registered()
