"""The run's status table, walked against real rows."""

import pytest
from django.utils import timezone

from tests.support.runs import make_assistant
from tests.support.state_walk import walk
from vicbot.models import Run
from vicbot.services.runs.state import RUN_STATES

pytestmark = pytest.mark.django_db


def test_every_move_of_the_run_table_is_made_and_every_other_is_refused():
    assistant = make_assistant()

    def run_in(status):
        return Run.objects.create(assistant=assistant, model="m", input="x", status=status,
                                  deadline_at=timezone.now())

    assert walk(RUN_STATES, run_in) == []
    # The table is the whole story: a run never leaves an ended state.
    assert not any(source in ("succeeded", "failed", "cancelled", "timed_out") for source, _, _ in RUN_STATES.table)
