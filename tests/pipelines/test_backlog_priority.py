"""A backlog never starves new pitches: with "backlog older than days" set, admission starts newer pitches
first and keeps a tenth of the in-flight limit free of backlog, so a new pitch finds a slot at once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery_app import app as celery_app
from pipelines.models import Pitch
from pipelines.services.admission import pitches_admit
from pipelines.services.backlog import backlog_room
from tests.support.pitches import make_pipeline

# Not transactional: the runs admission starts are never committed, so their first messages are never sent
# and a worker left running by an earlier test in the session cannot move these pitches mid-test.
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_worker_queue(settings):
    """No worker runs here: admission's own choice is what is tested; the messages it sends are dropped."""
    settings.VICBOT_ADMIT_MAX_BACKLOG = 1_000
    celery_app.control.purge()
    yield
    celery_app.control.purge()


def waiting(pipeline, count, *, days_old, prefix):
    modstamp = timezone.now() - timedelta(days=days_old)
    return [Pitch.objects.create(pipeline=pipeline, salesforce_id=f"{prefix}{i:03d}", name=f"{prefix} {i}",
                                 snapshot={"Name": f"{prefix} {i}"}, system_modstamp=modstamp + timedelta(seconds=i))
            for i in range(count)]


def evaluating(pipeline):
    return set(pipeline.pitches.filter(status=Pitch.Status.EVALUATING).values_list("salesforce_id", flat=True))


def test_new_pitches_start_first_and_the_backlog_leaves_a_tenth_of_the_limit_free():
    pipeline = make_pipeline(max_in_flight=10, backlog_older_than_days=7)
    waiting(pipeline, 12, days_old=400, prefix="old")
    waiting(pipeline, 2, days_old=0, prefix="new")

    assert pitches_admit(pipeline_id=pipeline.pk) == 9

    started = evaluating(pipeline)
    assert {"new000", "new001"} <= started  # the newest records, though the backlog's are older
    assert len(started - {"new000", "new001"}) == 7  # 10 less the reserved slot less the two new ones

    waiting(pipeline, 1, days_old=0, prefix="late")
    assert pitches_admit(pipeline_id=pipeline.pk) == 1  # the slot the backlog left free
    assert "late000" in evaluating(pipeline)


def test_without_the_setting_every_pitch_waits_its_turn_oldest_first():
    pipeline = make_pipeline(max_in_flight=10)
    waiting(pipeline, 12, days_old=400, prefix="old")
    waiting(pipeline, 2, days_old=0, prefix="new")

    assert pitches_admit(pipeline_id=pipeline.pk) == 10

    assert not {"new000", "new001"} & evaluating(pipeline)


@pytest.mark.parametrize("room, free_slots, limit, expected", [
    (10, 10, 10, 9), (3, 10, 10, 3), (5, 5, 50, 0), (20, 50, 50, 20), (20, 20, None, 19), (1, 1, 1, 1), (1, 1, 2, 0)])
def test_backlog_room_keeps_the_reserve(room, free_slots, limit, expected):
    assert backlog_room(room=room, free_slots=free_slots, limit=limit) == expected


def test_the_backlog_starts_only_while_the_brokers_queue_is_short():
    """A quarter of VICBOT_ADMIT_MAX_BACKLOG: a new pitch's steps never queue behind a long backlog's."""
    assert backlog_room(room=9, free_slots=10, limit=10, queued=0, max_queued=32) == 8
    assert backlog_room(room=9, free_slots=10, limit=10, queued=5, max_queued=32) == 3
    assert backlog_room(room=9, free_slots=10, limit=10, queued=20, max_queued=32) == 0
