"""How a state table is declared: one target per operation, or only self-loops."""

import pytest

from pipelines.states import PITCH_STATES, WRITEBACK_STATES
from vicbot.models import Run
from vicbot.services.runs.state import RUN_STATES
from core.state_machine import MoveNotAllowed, StateMachine


def test_an_operation_with_two_targets_is_refused_when_the_table_is_declared():
    with pytest.raises(ValueError, match="must have one target"):
        StateMachine(Run, "status", [("a", "b", "go"), ("c", "d", "go")])


def test_an_operation_that_only_loops_keeps_the_state():
    machine = StateMachine(Run, "status", [("a", "a", "wait"), ("b", "b", "wait")])
    assert machine["wait"].target is None and machine["wait"].sources == {"a", "b"}


def test_an_unknown_operation_is_a_clear_error():
    with pytest.raises(MoveNotAllowed, match="has no operation 'teleport'"):
        RUN_STATES["teleport"]


@pytest.mark.parametrize("machine", [RUN_STATES, PITCH_STATES, WRITEBACK_STATES], ids=lambda m: m.field)
def test_every_state_of_the_field_appears_in_its_table(machine):
    choices = {value for value, _ in machine.model._meta.get_field(machine.field).choices}
    assert machine.states == choices
