"""In-band outcomes: the create succeeds, then the response ends badly (or oddly)."""

from __future__ import annotations

import json

import jsonschema
import pytest
from openai import OpenAI

from sandbox.emulators.openai import Clock, OpenAIEmulator

from .scenarios import MODEL, PITCH, VERDICT_SCHEMA, tool_outputs, turn_kwargs


def run_to_end(client: OpenAI, clock: Clock, **kwargs):
    created = client.responses.create(background=True, **{"input": PITCH, **turn_kwargs(), **kwargs})
    assert created.status == "queued"
    clock.advance(1)
    return client.responses.retrieve(created.id)


@pytest.mark.parametrize("code", ["server_error", "rate_limit_exceeded"])
def test_a_failed_response_carries_the_error_code(
    client: OpenAI, emulator: OpenAIEmulator, clock: Clock, code: str
) -> None:
    emulator.faults.add("create", outcome="failed", error_code=code)

    response = run_to_end(client, clock)

    assert response.status == "failed"
    assert response.error.code == code and response.error.message
    assert response.output == [] and response.usage is None


@pytest.mark.parametrize("reason", ["max_output_tokens", "content_filter"])
def test_an_incomplete_response_says_why(
    client: OpenAI, emulator: OpenAIEmulator, clock: Clock, reason: str
) -> None:
    emulator.faults.add("create", outcome="incomplete", reason=reason)

    response = run_to_end(client, clock, tools=[])

    assert response.status == "incomplete"
    assert response.incomplete_details.reason == reason
    assert response.usage is not None
    message = next(item for item in response.output if item.type == "message")
    assert message.status == "incomplete"
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.output_text)


def test_a_small_max_output_tokens_makes_a_long_answer_incomplete(client: OpenAI) -> None:
    response = client.responses.create(
        input=PITCH, max_output_tokens=16, **turn_kwargs(model="gpt-4.1-mini", tools=[])
    )

    assert response.status == "incomplete"
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.usage.output_tokens <= 16


def test_reasoning_can_use_up_max_output_tokens_before_any_text(client: OpenAI) -> None:
    response = client.responses.create(
        model=MODEL, input=PITCH, max_output_tokens=16, reasoning={"effort": "high"}
    )

    assert response.status == "incomplete"
    assert [item.type for item in response.output] == ["reasoning"]
    assert response.output_text == ""


def test_a_stuck_response_stays_queued_until_cancelled(
    client: OpenAI, emulator: OpenAIEmulator, clock: Clock
) -> None:
    emulator.faults.add("create", outcome="stuck")

    created = client.responses.create(model=MODEL, input=PITCH, background=True)
    clock.advance(3600)

    assert client.responses.retrieve(created.id).status == "queued"
    assert client.responses.cancel(created.id).status == "cancelled"


def test_a_slow_response_runs_for_the_given_time(
    client: OpenAI, emulator: OpenAIEmulator, clock: Clock
) -> None:
    emulator.faults.add("create", outcome="slow", seconds=30)

    created = client.responses.create(model=MODEL, input=PITCH, background=True)
    clock.advance(29)
    assert client.responses.retrieve(created.id).status == "in_progress"
    clock.advance(2)
    assert client.responses.retrieve(created.id).status == "completed"


def test_a_refusal_arrives_as_a_refusal_content_part(
    client: OpenAI, emulator: OpenAIEmulator, clock: Clock
) -> None:
    emulator.faults.add("create", outcome="refusal")

    response = run_to_end(client, clock)

    assert response.status == "completed"
    message = next(item for item in response.output if item.type == "message")
    assert [part.type for part in message.content] == ["refusal"]
    assert message.content[0].refusal
    assert response.output_text == ""


def test_invalid_json_is_a_completed_answer_that_does_not_parse(
    client: OpenAI, emulator: OpenAIEmulator, clock: Clock
) -> None:
    first = run_to_end(client, clock)
    emulator.faults.add("create", outcome="invalid_json")

    final = run_to_end(client, clock, previous_response_id=first.id, input=tool_outputs(first))

    assert final.status == "completed"
    assert final.output_text.startswith("{")
    with pytest.raises(json.JSONDecodeError):
        json.loads(final.output_text)


def test_call_tool_emits_exactly_the_given_call(
    client: OpenAI, emulator: OpenAIEmulator, clock: Clock
) -> None:
    emulator.faults.add("create", outcome="call_tool", name="delete_everything", arguments='{"confirm": tru')

    response = run_to_end(client, clock)

    [call] = [item for item in response.output if item.type == "function_call"]
    assert (call.name, call.arguments) == ("delete_everything", '{"confirm": tru')
    follow_up = [
        {"type": "function_call_output", "call_id": call.call_id, "output": '{"error": "unknown tool"}'}
    ]
    final = run_to_end(client, clock, previous_response_id=response.id, input=follow_up)
    assert "delete_everything" in json.loads(final.output_text)["Reasoning"]


def test_a_looping_model_keeps_calling_the_first_tool_on_every_turn(
    client: OpenAI, emulator: OpenAIEmulator, clock: Clock
) -> None:
    emulator.faults.add("create", outcome="loop")

    response = run_to_end(client, clock)
    for _ in range(3):
        calls = [item for item in response.output if item.type == "function_call"]
        assert [call.name for call in calls] == ["lookup_company"]
        response = run_to_end(client, clock, previous_response_id=response.id, input=tool_outputs(response))
    assert response.output_text == ""


def test_without_faults_the_same_loop_ends_in_a_valid_answer(client: OpenAI, clock: Clock) -> None:
    first = run_to_end(client, clock)
    final = run_to_end(client, clock, previous_response_id=first.id, input=tool_outputs(first))

    jsonschema.validate(json.loads(final.output_text), VERDICT_SCHEMA)
