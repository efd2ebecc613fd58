"""Contracts kept in stored rows and in the import graph, written as tests.

A beat row stores a task's name and its keyword arguments (`{"pipeline_id": 3}`): renaming the
task or its argument would break every deployed schedule silently, at the next beat. And two
service modules that import each other are one module in two files: neither can be read, moved
or tested alone (admission and evaluation did, through manual).
"""

from __future__ import annotations

import json

import grimp
import pytest
from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config.enqueue import Task
from tests.support.beat_rows import rows_a_task_would_refuse, store_the_codes_beat_rows

SERVICE_PACKAGES = ("pipelines.services", "vicbot.services")
GRAPHED_PACKAGES = ("config", "console", "pipelines", "vicbot", "tools", "integrations")


# Committed, as in production: beat's scheduler commits and recycles connections as it goes.
@pytest.mark.django_db(transaction=True)
def test_every_beat_row_the_code_writes_names_a_task_that_takes_its_stored_arguments():
    """The rows the migrations wrote (the default pipeline's schedule) are checked on a database
    migrated from empty, in tests/test_migrations.py."""
    store_the_codes_beat_rows()
    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert {"Pull pitches: beat contracts", *settings.CELERY_BEAT_SCHEDULE} <= names
    assert rows_a_task_would_refuse() == []


@pytest.mark.django_db
def test_the_check_finds_a_row_whose_argument_was_renamed_or_whose_task_is_gone():
    """The check above, shown to fail: the rows a rename would leave behind."""
    every = IntervalSchedule.objects.create(every=60, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="renamed argument", task=Task.PULL_PITCHES.value, interval=every,
                                kwargs=json.dumps({"pipeline": 1}))
    PeriodicTask.objects.create(name="renamed task", task=f"{Task.PULL_PITCHES.value}_v0", interval=every)
    problems = rows_a_task_would_refuse()
    assert [p.split(":")[0] for p in problems] == ["renamed argument", "renamed task"]
    assert "missing a required argument: 'pipeline_id'" in problems[0]


def service_modules_importing_each_other(graph) -> list[tuple[str, ...]]:
    """Pairs of service modules each reaching the other through imports (at any depth, through any
    module), with the chain that leads back."""
    services = sorted(m for m in graph.modules if m.startswith(tuple(f"{p}." for p in SERVICE_PACKAGES)))
    circles = []
    for module in services:
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported in services and (back := graph.find_shortest_chain(importer=imported, imported=module)):
                circles.append((module, *back))
    return circles


def import_graph():
    """The product's import graph, function-level imports included (grimp reads every import statement)."""
    return grimp.build_graph(*GRAPHED_PACKAGES, cache_dir=None)


def test_no_two_service_modules_import_each_other():
    assert service_modules_importing_each_other(import_graph()) == []


def test_the_check_finds_two_service_modules_that_import_each_other():
    """The check above, shown to fail: the circle this issue broke, planted back (admission naming
    the handler key from evaluation, which asks admission to admit again when a slot frees)."""
    graph = import_graph()
    graph.add_import(importer="pipelines.services.admission", imported="pipelines.services.evaluation")
    assert ("pipelines.services.admission", "pipelines.services.evaluation",
            "pipelines.services.admission") in service_modules_importing_each_other(graph)
