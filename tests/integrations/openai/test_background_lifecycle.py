"""Background responses: queued → in_progress → terminal on the emulator clock; cancel; delete."""

from __future__ import annotations

import openai
import pytest
from openai import OpenAI

from sandbox.emulators.openai import Clock, OpenAIEmulator

from .scenarios import MODEL, PITCH
from .support import make_client, wait_until


def test_it_queues_then_completes_a_background_response(client: OpenAI, clock: Clock) -> None:
    created = client.responses.create(model=MODEL, input=PITCH, background=True)

    assert created.status == "queued"
    assert created.background is True
    assert created.output == []
    assert created.usage is None

    clock.advance(0.05)
    assert client.responses.retrieve(created.id).status == "in_progress"

    clock.advance(0.2)
    done = client.responses.retrieve(created.id)
    assert done.status == "completed"
    assert done.completed_at is not None and done.completed_at >= done.created_at
    assert done.output_text
    assert done.usage is not None and done.usage.total_tokens > 0


def test_it_stays_queued_while_the_clock_stands_still(client: OpenAI) -> None:
    created = client.responses.create(model=MODEL, input=PITCH, background=True)

    for _ in range(3):
        assert client.responses.retrieve(created.id).status == "queued"


def test_it_completes_on_real_time_with_the_default_clock() -> None:
    with OpenAIEmulator(queued_seconds=0.01, run_seconds=0.02) as emu, make_client(emu) as sdk:
        created = sdk.responses.create(model=MODEL, input=PITCH, background=True)

        done = wait_until(lambda: (r := sdk.responses.retrieve(created.id)).status == "completed" and r)

        assert done.output_text


def test_it_answers_a_synchronous_request_completed(client: OpenAI) -> None:
    response = client.responses.create(model=MODEL, input=PITCH)

    assert response.status == "completed"
    assert response.background is False
    assert client.responses.retrieve(response.id).status == "completed"


def test_it_cancels_a_queued_background_response(client: OpenAI) -> None:
    created = client.responses.create(model=MODEL, input=PITCH, background=True)

    cancelled = client.responses.cancel(created.id)

    assert cancelled.status == "cancelled"
    assert cancelled.output == []
    assert client.responses.retrieve(created.id).status == "cancelled"


def test_it_cancels_an_in_progress_response_that_then_never_completes(client: OpenAI, clock: Clock) -> None:
    created = client.responses.create(model=MODEL, input=PITCH, background=True)
    clock.advance(0.1)

    client.responses.cancel(created.id)
    clock.advance(10)

    assert client.responses.retrieve(created.id).status == "cancelled"


def test_cancelling_twice_returns_the_cancelled_response_unchanged(client: OpenAI) -> None:
    created = client.responses.create(model=MODEL, input=PITCH, background=True)
    first = client.responses.cancel(created.id)

    second = client.responses.cancel(created.id)

    assert second.model_dump() == first.model_dump()


def test_it_refuses_to_cancel_a_completed_response(client: OpenAI, clock: Clock) -> None:
    created = client.responses.create(model=MODEL, input=PITCH, background=True)
    clock.advance(1)

    with pytest.raises(openai.BadRequestError, match="already completed"):
        client.responses.cancel(created.id)


def test_it_refuses_to_cancel_a_synchronous_response(client: OpenAI) -> None:
    response = client.responses.create(model=MODEL, input=PITCH)

    with pytest.raises(openai.BadRequestError, match="synchronous"):
        client.responses.cancel(response.id)


def test_it_deletes_a_response(client: OpenAI, emulator: OpenAIEmulator) -> None:
    response = client.responses.create(model=MODEL, input=PITCH)

    raw = client.responses.with_raw_response.delete(response.id)

    assert raw.http_response.json() == {"id": response.id, "object": "response.deleted", "deleted": True}
    assert emulator.get_response(response.id) is None
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(response.id)


def test_it_answers_404_for_an_unknown_response(client: OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.retrieve("resp_does_not_exist")

    assert caught.value.body == {
        "message": "Response with id 'resp_does_not_exist' not found.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }


def test_a_store_false_response_cannot_be_retrieved(client: OpenAI) -> None:
    response = client.responses.create(model=MODEL, input=PITCH, store=False)

    assert response.status == "completed"
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(response.id)


def test_it_records_requests_for_inspection(client: OpenAI, emulator: OpenAIEmulator) -> None:
    client.responses.create(model=MODEL, input=PITCH, metadata={"job": "42"})

    method, path, body, headers = emulator.requests[-1]
    assert (method, path) == ("POST", "/v1/responses")
    assert body["metadata"] == {"job": "42"}
    assert headers["authorization"] == f"Bearer {emulator.api_key}"
    assert emulator.create_count == 1


def test_flex_is_slower_reports_its_tier_and_can_be_out_of_capacity(client: OpenAI, clock: Clock,
                                                                     emulator: OpenAIEmulator) -> None:
    """OpenAI's flex: "slower response times and occasional resource unavailability"."""
    standard = client.responses.create(model=MODEL, input=PITCH, background=True)
    flex = client.responses.create(model=MODEL, input=PITCH, background=True, service_tier="flex")

    clock.advance(0.25)  # a standard response's whole time (0.05 queued + 0.2 running)
    assert client.responses.retrieve(standard.id).status == "completed"
    assert client.responses.retrieve(flex.id).status == "in_progress"  # twice as long in each phase
    clock.advance(0.25)
    done = client.responses.retrieve(flex.id)
    assert done.status == "completed" and done.service_tier == "flex"
    assert client.responses.retrieve(standard.id).service_tier == "default"

    emulator.flex_unavailable_share = 1.0
    with pytest.raises(openai.RateLimitError) as refused:
        client.responses.create(model=MODEL, input=PITCH, background=True, service_tier="flex")
    assert refused.value.code == "resource_unavailable"
    assert client.responses.create(model=MODEL, input=PITCH, background=True).status == "queued"  # standard is served
