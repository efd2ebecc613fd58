"""What a run's tokens cost: list prices per million, cached input cheaper, flex at its multiplier."""

from decimal import Decimal

from vicbot.models import ModelPrice, Run, RunStatus
from console.timeline import turn_usage, turns
from vicbot.services.runs.usage import tokens_cost, turn_cost

PRICE = ModelPrice(model="gpt-test", input_per_million=Decimal("1.25"), cached_input_per_million=Decimal("0.125"),
                   output_per_million=Decimal("10"), flex_multiplier=Decimal("0.5"))


def test_uncached_cached_and_output_tokens_are_each_priced():
    cost = tokens_cost(PRICE, input_tokens=1_000_000, cached_input_tokens=200_000, output_tokens=10_000)
    assert cost == Decimal("1.000000") + Decimal("0.025000") + Decimal("0.100000")


def test_flex_is_billed_at_its_multiplier_to_the_micro_dollar():
    assert tokens_cost(PRICE, input_tokens=3, cached_input_tokens=0, output_tokens=7, flex=True) == Decimal("0.000037")
    assert tokens_cost(PRICE, input_tokens=0, cached_input_tokens=0, output_tokens=0) == Decimal("0")


# Per-turn cost: each response's entry priced at the tier it reported, as the run's sums are.
STANDARD_TURN = {"turn": 1, "response_id": "resp_1", "input_tokens": 1_000_000, "cached_input_tokens": 200_000,
                 "output_tokens": 10_000, "reasoning_tokens": 0, "tier": "default", "created_at": 100, "ended_at": 103}
FLEX_TURN = {"turn": 2, "response_id": "resp_2", "input_tokens": 3, "cached_input_tokens": 0, "output_tokens": 7,
             "reasoning_tokens": 0, "tier": "flex", "created_at": 110, "ended_at": 111.5}


def test_a_turn_is_priced_at_the_tier_its_response_reported():
    assert turn_cost(PRICE, STANDARD_TURN) == Decimal("1.125000")
    assert turn_cost(PRICE, FLEX_TURN) == Decimal("0.000037")  # half of 0.000074
    assert turn_cost(None, STANDARD_TURN) is None  # no price row: unknown, not $0


def test_the_turns_costs_add_up_to_the_runs_cost_of_the_same_tokens():
    standard = tokens_cost(PRICE, input_tokens=1_000_000, cached_input_tokens=200_000, output_tokens=10_000)
    flex = tokens_cost(PRICE, input_tokens=3, cached_input_tokens=0, output_tokens=7, flex=True)
    assert turn_cost(PRICE, STANDARD_TURN) + turn_cost(PRICE, FLEX_TURN) == standard + flex


def test_a_turn_created_twice_shows_both_responses_summed_and_a_micro_dollar_is_not_zero():
    retried = {**FLEX_TURN, "turn": 1, "response_id": "resp_1b"}
    shown = turn_usage([STANDARD_TURN, retried], PRICE)
    assert shown == {"responses": 2, "input": "1,000,003", "cached": "200,000", "output": "10,007",
                     "time": "4.5 s", "cost": "$1.13", "tiers": "default, flex"}
    assert turn_usage([FLEX_TURN], PRICE)["cost"] == "$0.000037"
    assert turn_usage([FLEX_TURN], None)["cost"] == "—"


def test_a_turn_created_again_names_the_response_that_answered_not_the_failed_one():
    answered = {**STANDARD_TURN, "response_id": "resp_again"}
    run = Run(status=RunStatus.SUCCEEDED, turn=1, response_ids=["resp_failed", "resp_again"], response_id="resp_again",
              turn_usage=[answered])
    (turn,) = turns(run, [], PRICE)
    assert (turn["response_id"], turn["final"], turn["usage"]["input"]) == ("resp_again", True, "1,000,000")
