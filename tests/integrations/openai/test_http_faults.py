"""HTTP-level faults: error replies with OpenAI's bodies and headers, and held-back replies."""

from __future__ import annotations

import openai
import pytest
from openai import OpenAI

from sandbox.emulators.openai import Clock, OpenAIEmulator

from .scenarios import MODEL, PITCH
from .support import make_client


def create(client: OpenAI, **kwargs):
    return client.responses.create(model=MODEL, input=PITCH, **kwargs)


def test_a_rate_limit_carries_retry_after_readable_from_the_exception(
    client: OpenAI, emulator: OpenAIEmulator
) -> None:
    emulator.faults.add("create", status=429, retry_after=7)

    with pytest.raises(openai.RateLimitError) as caught:
        create(client)

    error = caught.value
    assert error.status_code == 429
    assert error.code == "rate_limit_exceeded"
    assert error.type == "requests"
    assert error.response.headers["retry-after"] == "7"
    assert "retry-after-ms" not in error.response.headers
    assert emulator.response_ids() == []


def test_a_rate_limit_without_retry_after_has_no_such_header(
    client: OpenAI, emulator: OpenAIEmulator
) -> None:
    emulator.faults.add("create", status=429, code="rate_limit_exceeded")

    with pytest.raises(openai.RateLimitError) as caught:
        create(client)

    assert "retry-after" not in caught.value.response.headers


def test_the_sdk_honours_retry_after_ms_when_it_retries(emulator: OpenAIEmulator) -> None:
    emulator.faults.add("create", status=429, retry_after_ms=20)

    with make_client(emulator, max_retries=1) as sdk:
        response = create(sdk)

    assert response.status == "completed"
    assert emulator.create_count == 2


def test_the_sdk_does_not_retry_when_retry_after_exceeds_two_minutes(emulator: OpenAIEmulator) -> None:
    emulator.faults.add("create", status=429, retry_after=300)

    with make_client(emulator, max_retries=2) as sdk, pytest.raises(openai.RateLimitError):
        create(sdk)

    assert emulator.create_count == 1


def test_insufficient_quota_is_a_429_of_its_own_type(client: OpenAI, emulator: OpenAIEmulator) -> None:
    emulator.faults.add("create", status=429, type="insufficient_quota", code="insufficient_quota")

    with pytest.raises(openai.RateLimitError) as caught:
        create(client)

    assert (caught.value.type, caught.value.code) == ("insufficient_quota", "insufficient_quota")
    assert "quota" in caught.value.message


@pytest.mark.parametrize(
    ("status", "exception", "code"),
    [
        (500, openai.InternalServerError, None),
        (503, openai.InternalServerError, "server_is_overloaded"),
        (400, openai.BadRequestError, None),
        (401, openai.AuthenticationError, "invalid_api_key"),
        (403, openai.PermissionDeniedError, "unsupported_country_region_territory"),
    ],
)
def test_status_faults_raise_the_matching_sdk_exception(
    client: OpenAI,
    emulator: OpenAIEmulator,
    status: int,
    exception: type[openai.APIStatusError],
    code: str | None,
) -> None:
    emulator.faults.add("create", status=status)

    with pytest.raises(exception) as caught:
        create(client)

    assert caught.value.status_code == status
    assert caught.value.code == code
    assert set(caught.value.body) == {"message", "type", "param", "code"}


def test_a_fault_hits_only_requests_whose_metadata_matches(client: OpenAI, emulator: OpenAIEmulator) -> None:
    emulator.faults.add("create", status=500, match={"run": "7"})

    assert create(client, metadata={"run": "6"}).status == "completed"
    with pytest.raises(openai.InternalServerError):
        create(client, metadata={"run": "7", "attempt": "1"})
    assert create(client, metadata={"run": "7", "attempt": "2"}).status == "completed"


def test_a_fault_applies_the_given_number_of_times(client: OpenAI, emulator: OpenAIEmulator) -> None:
    emulator.faults.add("create", status=503, times=2)

    for _ in range(2):
        with pytest.raises(openai.InternalServerError):
            create(client)
    assert create(client).status == "completed"
    assert emulator.faults.pending() == []


def test_retrieve_faults_match_the_stored_responses_metadata(
    client: OpenAI, emulator: OpenAIEmulator, clock: Clock
) -> None:
    created = create(client, background=True, metadata={"run": "9"})
    other = create(client, background=True, metadata={"run": "10"})
    emulator.faults.add("retrieve", status=500, match={"run": "9"})

    assert client.responses.retrieve(other.id).status == "queued"
    with pytest.raises(openai.InternalServerError):
        client.responses.retrieve(created.id)
    assert client.responses.retrieve(created.id).status == "queued"


def test_a_cancel_fault_leaves_the_response_running(client: OpenAI, emulator: OpenAIEmulator) -> None:
    created = create(client, background=True)
    emulator.faults.add("cancel", status=429, retry_after=1)

    with pytest.raises(openai.RateLimitError):
        client.responses.cancel(created.id)

    assert client.responses.retrieve(created.id).status == "queued"


def test_a_delayed_create_times_out_but_the_response_exists_and_runs(
    emulator: OpenAIEmulator, clock: Clock
) -> None:
    emulator.faults.add("create", delay=1.5, match={"job": "slow"})

    with make_client(emulator, timeout=0.5) as sdk, pytest.raises(openai.APITimeoutError):
        create(sdk, background=True, metadata={"job": "slow"})

    [response_id] = emulator.response_ids()
    assert emulator.get_response(response_id)["metadata"] == {"job": "slow"}
    clock.advance(1)
    assert emulator.get_response(response_id)["status"] == "completed"


def test_faults_reject_unknown_options(emulator: OpenAIEmulator) -> None:
    with pytest.raises(TypeError):
        emulator.faults.add("create", status=429, retry_in=3)
    with pytest.raises(TypeError):
        emulator.faults.add("create", status=429, delay=1)
    with pytest.raises(ValueError):
        emulator.faults.add("retrieve", outcome="failed")
