"""How a state table is declared: one target per operation, or only self-loops."""

import pytest

from pipelines.states import PIPELINE_STATES, PITCH_STATES, WRITEBACK_STATES
from vicbot.models import Run
from vicbot.services.runs.lifecycles import COMPLETION_STATES, TOOL_CALL_STATES
from vicbot.services.runs.state import RUN_STATES
from vicbot.services.suggested_changes import SUGGESTION_STATES

EVERY_TABLE = [RUN_STATES, TOOL_CALL_STATES, COMPLETION_STATES, PITCH_STATES, WRITEBACK_STATES, PIPELINE_STATES,
               SUGGESTION_STATES]
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


def table_id(machine) -> str:
    return f"{machine.model.__name__}.{machine.field}"


@pytest.mark.parametrize("machine", EVERY_TABLE, ids=table_id)
def test_every_state_of_the_field_appears_in_its_table(machine):
    choices = {value for value, _ in machine.model._meta.get_field(machine.field).choices}
    assert machine.states == choices


@pytest.mark.parametrize("machine", EVERY_TABLE, ids=table_id)
def test_a_new_row_starts_in_a_state_its_table_knows(machine):
    assert str(machine.model._meta.get_field(machine.field).default) in machine.states


def test_the_pipeline_lifecycle_has_the_five_states_and_only_the_operator_disables_or_enables_it():
    assert PIPELINE_STATES.states == {"running", "paused", "probing", "paused_for_spend", "disabled"}
    assert PIPELINE_STATES["disable"].sources == {"running", "paused", "probing", "paused_for_spend"}
    assert [(a, b) for a, b, op in PIPELINE_STATES.table if "disabled" in (a, b) and op not in ("disable", "enable")] == []


def test_a_tool_call_is_only_ever_claimed_from_pending_and_ends_from_running():
    assert TOOL_CALL_STATES["claim"].sources == {"pending"}
    assert {TOOL_CALL_STATES[op].sources for op in ("succeed", "fail", "time_out")} == {frozenset({"running"})}
    assert not TOOL_CALL_STATES.allows("succeeded", "running") and not TOOL_CALL_STATES.allows("refused", "pending")
