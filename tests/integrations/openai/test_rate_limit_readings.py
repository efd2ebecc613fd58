"""Every reply's rate limits reach the listeners, through the product's own client over a real socket."""

from __future__ import annotations

import openai
import pytest

from integrations.openai import OpenAIConfig, build_client, on_rate_limits
from sandbox.emulators.openai import OpenAIEmulator

from .scenarios import MODEL, PITCH


@pytest.fixture
def readings():
    seen = []
    remove = on_rate_limits(seen.append)
    yield seen
    remove()


def product_client(emulator: OpenAIEmulator) -> openai.OpenAI:
    return build_client(OpenAIConfig(api_key=emulator.api_key, base_url=emulator.base_url, timeout=5))


def test_a_create_and_a_retrieve_report_the_limits_the_emulator_was_given(readings):
    with OpenAIEmulator(requests_per_minute=30, tokens_per_minute=40_000) as emulator:
        client = product_client(emulator)
        response = client.responses.create(model=MODEL, input=PITCH, background=True, store=True)
        client.responses.retrieve(response.id)

    created, retrieved = readings
    assert (created.status, created.model, created.limit_requests, created.limit_tokens) == (200, MODEL, 30, 40_000)
    # One request of 30 a minute used: its slot refills in 2 s (a Go duration, read back as seconds).
    assert created.remaining_requests == 29 and created.reset_requests_seconds == pytest.approx(2.0)
    assert 0 < created.remaining_tokens < 40_000
    assert retrieved.model is None and retrieved.limit_requests == 30  # a retrieve does not name its model


def test_the_remaining_tokens_are_the_limit_less_the_input_and_output_of_the_minute_and_past_it_a_429(readings):
    with OpenAIEmulator(requests_per_minute=30, tokens_per_minute=40_000, run_seconds=0.0) as emulator:
        client = product_client(emulator)
        first = client.responses.create(model=MODEL, input=PITCH, store=True)
        second = client.responses.create(model=MODEL, input=PITCH, store=True)
        emulator.rate_limits.tokens_per_minute = first.usage.total_tokens + second.usage.total_tokens  # all spent
        with pytest.raises(openai.RateLimitError) as refused:
            client.responses.create(model=MODEL, input=PITCH, store=True)

    assert readings[0].remaining_tokens == 40_000 - first.usage.total_tokens  # output counted, as OpenAI does
    assert readings[1].remaining_tokens == 40_000 - first.usage.total_tokens - second.usage.total_tokens
    assert refused.value.code == "rate_limit_exceeded" and "tokens per min (TPM)" in refused.value.message
    assert readings[2].too_fast and readings[2].remaining_tokens == 0


def test_a_429_is_reported_with_its_code_and_the_sdk_still_raises_it(readings):
    with OpenAIEmulator() as emulator:
        emulator.faults.add("create", status=429, code="rate_limit_exceeded", retry_after=1)
        emulator.faults.add("create", status=429, code="insufficient_quota")
        client = product_client(emulator)
        for _ in range(2):
            with pytest.raises(openai.RateLimitError) as caught:
                client.responses.create(model=MODEL, input=PITCH)
            assert caught.value.code  # the hook read the body, and the SDK could still read it

    assert [(r.status, r.model, r.error_code, r.too_fast) for r in readings] == [
        (429, MODEL, "rate_limit_exceeded", True), (429, MODEL, "insufficient_quota", False)]
    assert readings[0].limit_requests == 5_000  # the emulator's default


def test_a_listener_that_fails_never_breaks_the_call(readings):
    def broken(reading):
        raise RuntimeError("listener bug")

    remove = on_rate_limits(broken)
    try:
        with OpenAIEmulator() as emulator:
            response = product_client(emulator).responses.create(model=MODEL, input=PITCH)
    finally:
        remove()
    assert response.status == "completed" and len(readings) == 1
