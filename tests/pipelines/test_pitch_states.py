"""The pitch's status and write-back tables, walked against real rows."""

import itertools

import pytest

from pipelines.models import Pipeline, Pitch
from pipelines.states import PITCH_STATES, WRITEBACK_STATES
from tests.support.state_walk import walk

pytestmark = pytest.mark.django_db
ids = itertools.count()


@pytest.mark.parametrize("machine", [PITCH_STATES, WRITEBACK_STATES], ids=lambda m: m.field)
def test_every_move_of_the_pitch_tables_is_made_and_every_other_is_refused(machine):
    pipeline = Pipeline.objects.create(name="walk", fields=["Name"])

    def pitch_in(state):
        return Pitch.objects.create(pipeline=pipeline, salesforce_id=f"001{next(ids):015d}", **{machine.field: state})

    assert walk(machine, pitch_in) == []


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
