"""Back-pressure: admission starts new runs only while the broker's backlog is short, and a pipeline
held back by it looks again in a moment rather than at the next intake pass or tick."""

import pytest
from celery.signals import before_task_publish

from config.enqueue import Task
from pipelines.models import Pitch
from pipelines.services.admission import pitches_admit
from pipelines.services.intake import pitches_pull
from tests.support.pitches import add_accounts, make_pipeline, wait_until_written_back

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]


@pytest.fixture
def published():
    """(task name, eta) of every message this process publishes."""
    sent = []

    def note(sender=None, headers=None, **_):
        sent.append((sender, (headers or {}).get("eta")))

    before_task_publish.connect(note, weak=False)
    yield sent
    before_task_publish.disconnect(note)


def test_a_pipeline_held_back_by_the_backlog_admits_again_in_a_moment_once_per_pipeline(
        salesforce, settings, published):
    from django.core.cache import cache

    pipeline = make_pipeline(max_in_flight=10)
    add_accounts(salesforce, 4)
    cache.delete(f"pipelines:admit-again:{pipeline.pk}")
    settings.VICBOT_ADMIT_MAX_BACKLOG = 0  # in this process: as if the worker were far behind

    assert pitches_pull(pipeline_id=pipeline.pk).started == 0
    assert pitches_admit(pipeline_id=pipeline.pk) == 0  # held back again: no second message

    assert pipeline.pitches.filter(status=Pitch.Status.NEW).count() == 4  # waiting where an operator sees them
    admits = [eta for task, eta in published if task == Task.PITCHES_ADMIT]
    assert len(admits) == 1 and admits[0] is not None  # one look again, a moment later
    # The worker (its own backlog limit) lets them in and they are written.
    written = wait_until_written_back(pipeline, 4, timeout=90)
    assert {p.status for p in written} == {Pitch.Status.WRITTEN_BACK}


def test_a_pipeline_at_its_limit_does_not_keep_looking(salesforce, settings, published):
    pipeline = make_pipeline(max_in_flight=0)
    add_accounts(salesforce, 2)
    settings.VICBOT_ADMIT_MAX_BACKLOG = 0

    assert pitches_pull(pipeline_id=pipeline.pk).started == 0
    assert not [task for task, _ in published if task == Task.PITCHES_ADMIT]  # its limit, not the backlog, holds it
