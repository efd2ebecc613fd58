"""One retry policy for turns, polls and write-backs."""

from core.retry import RetryPolicy


def test_it_doubles_from_the_base_and_stops_at_the_cap():
    policy = RetryPolicy(base_seconds=2, cap_seconds=30)
    assert [policy.delay(attempt) for attempt in range(1, 7)] == [2, 4, 8, 16, 30, 30]


def test_the_other_sides_retry_after_wins_over_the_backoff():
    policy = RetryPolicy(base_seconds=2, cap_seconds=30)
    assert policy.delay(5, retry_after=0.5) == 0.5
    assert policy.delay(1, retry_after=120) == 120
    assert policy.delay(1, retry_after=-3) == 0


def test_it_is_exhausted_once_the_attempt_limit_is_reached_and_never_without_one():
    limited = RetryPolicy(max_attempts=3)
    assert [limited.exhausted(n) for n in (1, 2, 3, 4)] == [False, False, True, True]
    assert not RetryPolicy().exhausted(10_000)
