"""The pitch's status and write-back tables, walked against real rows."""

import itertools

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from pipelines.models import Pipeline, Pitch
from pipelines.states import PITCH_STATES, WRITEBACK_STATES
from tests.support.state_walk import walk

pytestmark = pytest.mark.django_db
ids = itertools.count()


@pytest.mark.parametrize("machine", [PITCH_STATES, WRITEBACK_STATES], ids=lambda m: m.field)
def test_every_move_of_the_pitch_tables_is_made_and_every_other_is_refused(machine):
    pipeline = Pipeline.objects.create(name="walk", fields=["Name"])

    now = timezone.now()

    def pitch_in(state):
        # A waiting retry or write always has its time (the database insists, see below).
        return Pitch.objects.create(pipeline=pipeline, salesforce_id=f"001{next(ids):015d}", next_attempt_at=now,
                                    next_writeback_at=now, **{machine.field: state})

    scheduled = {"next_attempt_at": now, "next_writeback_at": now}
    assert walk(machine, pitch_in, fields={op: scheduled for op in machine.moves}) == []


@pytest.mark.parametrize("state", [{"status": Pitch.Status.RETRY_WAITING}, {"writeback_state": Pitch.WriteBack.QUEUED}])
def test_no_pitch_can_wait_for_work_without_a_time_for_it(state):
    pipeline = Pipeline.objects.create(name="timed", fields=["Name"])
    pitch = Pitch.objects.create(pipeline=pipeline, salesforce_id="001000000000009AAA")

    with pytest.raises(IntegrityError), transaction.atomic():
        Pitch.objects.filter(pk=pitch.pk).update(**state)


def test_a_written_answer_moves_both_states_in_one_update():
    pipeline = Pipeline.objects.create(name="both", fields=["Name"])
    pitch = Pitch.objects.create(pipeline=pipeline, salesforce_id="001000000000000AAA",
                                 status=Pitch.Status.EVALUATED, writeback_state=Pitch.WriteBack.WRITING)

    assert WRITEBACK_STATES.apply(pitch.pk, "succeed", also=[PITCH_STATES["written_back"]])
    pitch.refresh_from_db()
    assert (pitch.status, pitch.writeback_state) == (Pitch.Status.WRITTEN_BACK, Pitch.WriteBack.DONE)

    # Neither half moves when the other cannot.
    Pitch.objects.filter(pk=pitch.pk).update(status=Pitch.Status.EVALUATING, writeback_state=Pitch.WriteBack.WRITING)
    assert not WRITEBACK_STATES.apply(pitch.pk, "succeed", also=[PITCH_STATES["written_back"]])
    pitch.refresh_from_db()
    assert (pitch.status, pitch.writeback_state) == (Pitch.Status.EVALUATING, Pitch.WriteBack.WRITING)
