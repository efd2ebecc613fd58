"""Reading OpenAI's x-ratelimit-* headers: Go durations, counts, and what a 429 means."""

import pytest

from sandbox.emulators.openai.ratelimit import go_duration
from integrations.openai.ratelimits import parse_go_duration, reading_from


@pytest.mark.parametrize("text, seconds", [
    ("0s", 0.0), ("0", 0.0), ("12ms", 0.012), ("1.5s", 1.5), ("6m0s", 360.0), ("1h2m3.5s", 3723.5),
    ("250us", 0.00025), ("250µs", 0.00025), ("40ns", 4e-8), (".5s", 0.5), (" 20s ", 20.0),
])
def test_go_durations_are_read_as_seconds(text, seconds):
    assert parse_go_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "12", "soon", "1x", "5s later", "-", "s", None])
def test_anything_else_is_no_duration(text):
    assert parse_go_duration(text) is None


@pytest.mark.parametrize("seconds", [0.0, 0.004, 0.25, 1.5, 59.999, 61, 360, 3723.5])
def test_what_the_emulator_writes_reads_back(seconds):
    assert parse_go_duration(go_duration(seconds)) == pytest.approx(seconds, abs=1e-3)


def test_a_reply_with_the_headers_gives_every_figure_whatever_their_case():
    reading = reading_from(200, {
        "X-RateLimit-Limit-Requests": "500", "x-ratelimit-limit-tokens": "200000",
        "x-ratelimit-remaining-requests": "499", "x-ratelimit-remaining-tokens": "199000",
        "x-ratelimit-reset-requests": "120ms", "x-ratelimit-reset-tokens": "6m0s", "content-type": "application/json",
    }, model="gpt-5.4-mini")

    assert (reading.model, reading.limit_requests, reading.limit_tokens) == ("gpt-5.4-mini", 500, 200_000)
    assert (reading.remaining_requests, reading.remaining_tokens) == (499, 199_000)
    assert reading.reset_requests_seconds == pytest.approx(0.12) and reading.reset_tokens_seconds == 360
    assert reading.has_limits and not reading.too_fast


def test_a_reply_without_them_says_nothing_and_a_garbled_figure_is_unknown():
    assert reading_from(200, {"content-type": "application/json"}) is None
    reading = reading_from(200, {"x-ratelimit-limit-requests": "lots", "x-ratelimit-limit-tokens": "100"})
    assert reading.limit_requests is None and reading.limit_tokens == 100 and not reading.has_limits


@pytest.mark.parametrize("code, too_fast", [
    ("rate_limit_exceeded", True), ("slow_down", True), ("insufficient_quota", False), (None, False),
])
def test_only_a_429_about_speed_is_too_fast(code, too_fast):
    reading = reading_from(429, {}, error_code=code)  # a 429 is news even without the headers
    assert reading is not None and reading.too_fast is too_fast
    assert reading_from(500, {"x-ratelimit-limit-requests": "1"}, error_code=code).too_fast is False
