"""Which of a turn's tool calls run under the per-turn and per-run limits (vicbot/services/runs/tool_limits.py)."""

from vicbot.services.runs.tool_limits import refusals


def test_the_first_calls_run_up_to_the_per_turn_limit():
    reasons = refusals(20, made_before=0, per_turn=8, per_run=24)
    assert reasons[:8] == [None] * 8
    assert all("20 tool calls were asked for in one turn and at most 8 are run per turn" in r for r in reasons[8:])


def test_a_run_near_its_limit_runs_only_what_is_left_and_names_the_runs_limit():
    reasons = refusals(10, made_before=21, per_turn=8, per_run=24)
    assert reasons[:3] == [None] * 3
    assert all("reached its limit of 24 tool calls" in r for r in reasons[3:])


def test_a_run_past_its_limit_runs_nothing():
    assert all(refusals(2, made_before=30, per_turn=8, per_run=24))
    assert refusals(0, made_before=0, per_turn=8, per_run=24) == []


def test_within_both_limits_everything_runs():
    assert refusals(6, made_before=10, per_turn=8, per_run=24) == [None] * 6
