"""Polling without webhooks: retrieves per turn grow with the logarithm of the model's latency."""

import math

from vicbot.services.runs.state import poll_policy


def polls_until_seen(latency: float) -> tuple[int, float]:
    """(retrieves, seconds after the response finished) for a response taking `latency` seconds."""
    policy, waited, polls = poll_policy(), policy_first_wait(), 1
    while waited < latency:
        waited += policy.delay(polls)
        polls += 1
    return polls, waited - latency


def policy_first_wait() -> float:
    return poll_policy().delay(1)


def test_retrieves_per_turn_grow_with_the_log_of_the_latency_and_overshoot_stays_small(settings):
    settings.OPENAI_POLL_MAX_SECONDS = 1e9  # the growth itself, without the cap
    for latency in (2, 20, 200):
        polls, late = polls_until_seen(latency)
        assert polls <= math.log(latency / 0.25, 1.25) + 3
        assert late <= 0.3 * latency
    assert polls_until_seen(200)[0] - polls_until_seen(2)[0] <= 21  # 100x the latency: ~log1.25(100) more


def test_a_two_second_turn_is_seen_within_half_a_second(settings):
    settings.OPENAI_POLL_MAX_SECONDS = 30
    polls, late = polls_until_seen(2)
    assert late <= 0.5 and polls <= 8
