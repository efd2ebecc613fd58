"""Pipelines and their beat schedules."""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config.enqueue import Task
from pipelines.models import Pipeline
from pipelines.models.pipeline import DEFAULT_ANSWER_MAPPING, DEFAULT_FIELDS

API_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$")


class InvalidPipeline(ValueError):
    pass


def pipeline_validate(pipeline: Pipeline) -> None:
    """Object and field names go into SOQL as identifiers, so they must be identifiers."""
    names = [pipeline.sobject, *pipeline.fields, *pipeline.answer_mapping.values()]
    bad = [name for name in names if not isinstance(name, str) or not API_NAME.match(name)]
    if bad:
        raise InvalidPipeline(f"Not Salesforce API names: {', '.join(map(repr, bad))}")
    if "." in pipeline.sobject:
        raise InvalidPipeline("The sObject must be a plain API name")
    if not 200 <= pipeline.batch_size <= 2000:
        raise InvalidPipeline("Batch size must be between 200 and 2000 (Salesforce's page sizes)")


@transaction.atomic
def pipeline_create(*, name: str, every_seconds: int = 300, **fields) -> Pipeline:
    pipeline = Pipeline(
        name=name,
        sobject=fields.pop("sobject", settings.SALESFORCE_PITCH_OBJECT),
        selection=fields.pop("selection", settings.SALESFORCE_PITCH_FILTER),
        fields=fields.pop("fields", list(DEFAULT_FIELDS)),
        answer_mapping=fields.pop("answer_mapping", dict(DEFAULT_ANSWER_MAPPING)),
        **fields,
    )
    pipeline_validate(pipeline)
    pipeline.save()
    pipeline_schedule(pipeline=pipeline, every_seconds=every_seconds)
    return pipeline


def pipeline_schedule(*, pipeline: Pipeline, every_seconds: int) -> PeriodicTask:
    """The pipeline's intake as a django-celery-beat task (editable in the admin afterwards)."""
    interval, _ = IntervalSchedule.objects.get_or_create(every=every_seconds, period=IntervalSchedule.SECONDS)
    task, _ = PeriodicTask.objects.update_or_create(
        name=f"Pull pitches: {pipeline.name}",
        defaults={
            "task": Task.PULL_PITCHES.value,
            "interval": interval,
            "kwargs": json.dumps({"pipeline_id": pipeline.pk}),
            "enabled": pipeline.enabled,
            # A pass that could not start within one interval is superseded by the next.
            "expire_seconds": every_seconds,
        },
    )
    Pipeline.objects.filter(pk=pipeline.pk).update(schedule=task)
    pipeline.schedule = task
    return task
