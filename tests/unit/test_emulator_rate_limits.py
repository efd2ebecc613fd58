"""The OpenAI emulator enforces the per-minute limits it announces, and its remaining headers say what is left."""

from sandbox.emulators.openai.ratelimit import RateLimits


def test_a_create_past_the_tokens_limit_is_refused_until_the_window_slides_and_counts_for_nothing():
    limits = RateLimits(requests_per_minute=100, tokens_per_minute=10_000)
    assert limits.take(0.0, 6_000) is None
    assert limits.take(10.0, 3_000) is None
    assert limits.headers(10.0)["x-ratelimit-remaining-tokens"] == "1000"

    refused = limits.take(20.0, 2_000)
    assert (refused.kind, refused.used, refused.requested) == ("tokens", 9_000, 2_000)
    assert refused.retry_after == 40.0  # when the 6,000 of t=0 leave the window
    assert "tokens per min (TPM): Limit 10000, Used 9000, Requested 2000" in refused.message("gpt-x")
    assert limits.headers(20.0)["x-ratelimit-remaining-tokens"] == "1000"  # the refusal used nothing
    assert limits.take(60.0, 2_000) is None


def test_a_create_past_the_requests_limit_is_refused():
    limits = RateLimits(requests_per_minute=2, tokens_per_minute=1_000_000)
    assert limits.take(0.0, 1) is None and limits.take(1.0, 1) is None
    assert limits.headers(1.0)["x-ratelimit-remaining-requests"] == "0"
    refused = limits.take(2.0, 1)
    assert (refused.kind, refused.retry_after) == ("requests", 58.0)
    assert limits.take(60.5, 1) is None
