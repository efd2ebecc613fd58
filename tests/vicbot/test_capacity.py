"""A model's capacity, read from OpenAI's replies through the real client: limits kept cheaply, 429s at once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrations.openai import OpenAIError, classify
from tests.support.runs import create_outside_a_run
from vicbot.capacity import DEFAULT_ALLOWANCE
from vicbot.models import ModelCapacity
from vicbot.runs import in_flight_allowance
from vicbot.services import capacity
from vicbot.services.capacity import READING_FRESH, capacity_forget_recorded

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("engine_settings")]

MODEL = "gpt-capacity-test"


@pytest.fixture(autouse=True)
def fresh_process_memory():
    capacity_forget_recorded()  # what an earlier test recorded was flushed with its database
    yield
    capacity_forget_recorded()


def create(model: str = MODEL):
    return create_outside_a_run(model)


def capacity_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if "vicbot_modelcapacity" in q["sql"] and not q["sql"].startswith("SELECT")]


def test_a_create_records_the_models_limits_and_later_replies_write_only_when_they_change(openai_emu,
                                                                                        monkeypatch):
    # Unchanged limits are recorded again only after PERSIST_EVERY: made long, so the machine's speed never matters.
    monkeypatch.setattr(capacity, "PERSIST_EVERY", 3600.0)
    openai_emu.rate_limits.requests_per_minute, openai_emu.rate_limits.tokens_per_minute = 600, 300_000
    assert in_flight_allowance(MODEL) == DEFAULT_ALLOWANCE  # nothing read yet

    create()

    row = ModelCapacity.objects.get(model=MODEL)
    assert (row.requests_per_minute, row.tokens_per_minute, row.throttle) == (600, 300_000, 1.0)
    assert row.remaining_requests < 600 and row.read_at is not None
    # No runs yet: the fallback turn (10,000 tokens, 20 s, 2 requests) under these limits, near them as the
    # fresh reading says nearly all is left: tokens, 0.95 × 300,000 × 20 / (60 × 10,000) = 9.5.
    assert in_flight_allowance(MODEL) == 9
    # A reading that old says nothing of what is left now: a fifth of the limits kept back (0.8 × 10).
    assert in_flight_allowance(MODEL, now=row.read_at + READING_FRESH + timedelta(seconds=1)) == 8

    with CaptureQueriesContext(connection) as unchanged:
        create()
    assert capacity_writes(unchanged.captured_queries) == []  # not one write per request

    openai_emu.rate_limits.requests_per_minute = 1_200
    create()
    assert ModelCapacity.objects.get(model=MODEL).requests_per_minute == 1_200  # a change is written at once


def test_a_rate_limit_429_halves_the_allowance_once_per_overload_and_it_recovers(openai_emu):
    openai_emu.rate_limits.requests_per_minute, openai_emu.rate_limits.tokens_per_minute = 6_000, 30_000_000
    create()
    full = in_flight_allowance(MODEL)
    openai_emu.faults.add("create", times=2, status=429, code="rate_limit_exceeded")

    for _ in range(2):  # two runs meeting the same overload
        with pytest.raises(Exception) as caught:
            create()
        assert classify(caught.value).code == "rate_limit_exceeded"

    row = ModelCapacity.objects.get(model=MODEL)
    assert (row.throttle, row.rate_limited_count) == (0.5, 2) and row.throttled_at is not None
    assert full == 950 and in_flight_allowance(MODEL) < full  # near the limits: the reading says they are unused
    at_429 = row.throttled_at
    assert in_flight_allowance(MODEL, now=at_429) == 475
    # Later, with no newer reading, at the fixed 0.8 of the limits (1,000 runs' worth): a quarter back each minute.
    assert in_flight_allowance(MODEL, now=at_429 + timedelta(minutes=1)) == 600
    assert in_flight_allowance(MODEL, now=at_429 + timedelta(minutes=3)) == 800


def test_a_429_about_money_does_not_throttle(openai_emu):
    create()
    openai_emu.faults.add("create", status=429, code="insufficient_quota")

    with pytest.raises(Exception) as caught:
        create()

    assert isinstance(classify(caught.value), OpenAIError) and classify(caught.value).systemic
    row = ModelCapacity.objects.get(model=MODEL)
    assert (row.throttle, row.rate_limited_count, row.throttled_at) == (1.0, 0, None)


def test_a_create_past_the_limits_openai_announces_is_refused_and_throttles(openai_emu):
    openai_emu.rate_limits.requests_per_minute, openai_emu.rate_limits.tokens_per_minute = 2, 30_000_000
    create()
    create()

    with pytest.raises(Exception) as caught:
        create()  # the emulator enforces what it announces, as OpenAI does

    assert classify(caught.value).code == "rate_limit_exceeded" and 0 < classify(caught.value).retry_after <= 60
    row = ModelCapacity.objects.get(model=MODEL)
    assert (row.throttle, row.rate_limited_count) == (0.5, 1)
