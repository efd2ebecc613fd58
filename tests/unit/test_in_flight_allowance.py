"""The in-flight allowance: Little's law under OpenAI's per-minute limits, and how 429s throttle it."""

from datetime import datetime, timedelta, timezone

import pytest

from vicbot.capacity import (DEFAULT_ALLOWANCE, HEADROOM, LOW_REMAINING, MAX_ALLOWANCE, NEAR_LIMIT, THROTTLE_FLOOR,
                             TurnProfile, aim, allowance, remaining_share, requests_per_turn,
                             throttle_after_rate_limit, throttle_now)
from core.retry import RetryPolicy

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
# A 20 s turn of 10,000 tokens, one create and one retrieve: a run uses 6 requests and 30,000 tokens a minute.
TURN = TurnProfile(tokens=10_000, seconds=20, requests=2)


def test_the_tighter_of_the_two_limits_decides_with_a_fifth_left_over():
    # Requests: 0.8 × 500 / 6 = 66; tokens: 0.8 × 200,000 / 30,000 = 5.3.
    assert allowance(requests_per_minute=500, tokens_per_minute=200_000, profile=TURN) == 5
    # Requests: 0.8 × 30 / 6 = 4; tokens: 0.8 × 2,000,000 / 30,000 = 53.
    assert allowance(requests_per_minute=30, tokens_per_minute=2_000_000, profile=TURN) == 4


def test_longer_turns_allow_more_runs_and_heavier_ones_fewer():
    base = allowance(requests_per_minute=10_000, tokens_per_minute=1_000_000, profile=TURN)
    slower = allowance(requests_per_minute=10_000, tokens_per_minute=1_000_000,
                       profile=TurnProfile(tokens=10_000, seconds=40, requests=2))
    heavier = allowance(requests_per_minute=10_000, tokens_per_minute=1_000_000,
                        profile=TurnProfile(tokens=20_000, seconds=20, requests=2))
    assert (base, slower, heavier) == (26, 53, 13)


def test_the_throttle_scales_it_down_but_one_run_can_always_start():
    assert allowance(requests_per_minute=500, tokens_per_minute=10_000_000, profile=TURN, throttle=0.5) == 33
    assert allowance(requests_per_minute=1, tokens_per_minute=1, profile=TURN) == 1
    assert allowance(requests_per_minute=500, tokens_per_minute=200_000, profile=TURN, throttle=THROTTLE_FLOOR) == 1


def test_before_any_reading_it_is_the_old_default_throttled_and_it_never_grows_without_bound():
    assert allowance(requests_per_minute=None, tokens_per_minute=None, profile=TURN) == DEFAULT_ALLOWANCE
    assert allowance(requests_per_minute=None, tokens_per_minute=None, profile=TURN, throttle=0.5) == 5
    assert allowance(requests_per_minute=10**9, tokens_per_minute=10**12, profile=TURN) == MAX_ALLOWANCE
    # A turn measured as instantaneous does not divide by zero (nor allow nothing).
    assert allowance(requests_per_minute=600, tokens_per_minute=10**9,
                     profile=TurnProfile(tokens=1, seconds=0, requests=2)) == 1


def test_a_turn_takes_two_requests_with_webhooks_and_the_polls_that_find_its_end_without():
    polls = RetryPolicy(base_seconds=1, factor=2, cap_seconds=30)  # waits 1, 2, 4, 8 … seconds
    assert requests_per_turn(model_seconds=20, webhooks=True, polls=polls) == 2
    assert requests_per_turn(model_seconds=0.5, webhooks=False, polls=polls) == 2  # 1 create + 1 poll
    assert requests_per_turn(model_seconds=20, webhooks=False, polls=polls) == 6  # 1+2+4+8+16 ≥ 20: 5 polls


def test_a_rate_limit_halves_the_throttle_down_to_a_floor():
    assert throttle_after_rate_limit(1.0) == 0.5
    assert throttle_after_rate_limit(0.5) == 0.25
    assert throttle_after_rate_limit(THROTTLE_FLOOR) == THROTTLE_FLOOR


@pytest.mark.parametrize("minutes, factor", [(0, 0.5), (1, 0.75), (2, 1.0), (10, 1.0), (-1, 0.5)])
def test_the_throttle_recovers_a_quarter_a_minute_without_a_429(minutes, factor):
    assert throttle_now(0.5, T0, T0 + timedelta(minutes=minutes)) == factor


def test_a_model_never_throttled_runs_at_full_allowance():
    assert throttle_now(1.0, None, T0) == 1.0


def test_a_recent_reading_that_says_the_budget_is_there_lets_it_go_near_the_limit():
    # Tokens bind: 0.8 × 200,000 / 30,000 = 5.3 with nothing to go on; 0.95 × 200,000 / 30,000 = 6.3 with it.
    assert allowance(requests_per_minute=500, tokens_per_minute=200_000, profile=TURN, left=None) == 5
    assert allowance(requests_per_minute=500, tokens_per_minute=200_000, profile=TURN, left=0.6) == 6
    assert allowance(requests_per_minute=500, tokens_per_minute=200_000, profile=TURN, left=LOW_REMAINING) == 6


def test_it_pulls_back_in_proportion_as_the_remaining_budget_runs_low_and_the_throttle_still_applies():
    assert aim(LOW_REMAINING / 2) == pytest.approx(NEAR_LIMIT / 2)
    assert allowance(requests_per_minute=500, tokens_per_minute=200_000, profile=TURN, left=0.05) == 3  # 6.3 / 2
    assert allowance(requests_per_minute=500, tokens_per_minute=200_000, profile=TURN, left=0.0) == 1
    assert allowance(requests_per_minute=500, tokens_per_minute=200_000, profile=TURN, left=0.6, throttle=0.5) == 3
    assert aim(None) == HEADROOM < NEAR_LIMIT


def test_the_share_left_is_that_of_the_tighter_limit_and_unknown_without_remaining_counts():
    assert remaining_share(requests_per_minute=500, tokens_per_minute=200_000, remaining_requests=400,
                           remaining_tokens=20_000) == pytest.approx(0.1)
    assert remaining_share(requests_per_minute=500, tokens_per_minute=200_000, remaining_requests=None,
                           remaining_tokens=20_000) is None
    assert remaining_share(requests_per_minute=None, tokens_per_minute=None, remaining_requests=1,
                           remaining_tokens=1) is None
    # Someone raised the limits between two readings: never more than all of it.
    assert remaining_share(requests_per_minute=500, tokens_per_minute=200_000, remaining_requests=900,
                           remaining_tokens=900_000) == 1.0
