"""The tool loop: parallel function calls, then a final answer valid for the JSON schema."""

from __future__ import annotations

import json
from typing import Literal

import jsonschema
import openai
import pytest
from openai import OpenAI
from pydantic import BaseModel

from sandbox.emulators.openai import Clock, OpenAIEmulator

from .scenarios import LOOKUP_COMPANY, MODEL, PITCH, TOOLS, VERDICT_SCHEMA, tool_outputs, turn_kwargs
from .support import make_client


def function_calls(response):
    return [item for item in response.output if item.type == "function_call"]


def test_it_calls_every_offered_tool_at_once_with_valid_arguments(client: OpenAI) -> None:
    response = client.responses.create(input=PITCH, **turn_kwargs())

    calls = function_calls(response)
    assert response.status == "completed"
    assert [call.name for call in calls] == ["lookup_company", "search_web"]
    for call, tool in zip(calls, TOOLS):
        jsonschema.validate(json.loads(call.arguments), tool["parameters"])
        assert call.id.startswith("fc_") and call.call_id.startswith("call_")
    assert len({call.call_id for call in calls}) == 2


def test_it_draws_tool_arguments_from_the_input(client: OpenAI) -> None:
    response = client.responses.create(input=PITCH, **turn_kwargs())

    lookup, search = (json.loads(call.arguments) for call in function_calls(response))
    assert lookup == {
        "company_name": "Acme Robotics",
        "website": "https://acme-robotics.example/about",
        "region": "emea",
    }
    assert search == {
        "query": "Acme Robotics",
        "max_results": 1,
        "contact_email": "jane@acme-robotics.example",
        "filters": {"recent_only": False, "sites": []},
    }


def test_it_answers_with_json_valid_for_the_schema_after_tool_outputs(client: OpenAI, clock: Clock) -> None:
    first = client.responses.create(input=PITCH, background=True, **turn_kwargs())
    clock.advance(1)
    first = client.responses.retrieve(first.id)

    final = client.responses.create(
        previous_response_id=first.id, input=tool_outputs(first), background=True, **turn_kwargs()
    )
    clock.advance(1)
    final = client.responses.retrieve(final.id)

    assert final.status == "completed"
    assert not function_calls(final)
    verdict = json.loads(final.output_text)
    jsonschema.validate(verdict, VERDICT_SCHEMA)
    assert "lookup_company" in verdict["Reasoning"] and "search_web" in verdict["Reasoning"]
    assert '{"tool": "lookup_company", "found": true}' in verdict["Reasoning"]


def test_its_verdict_is_a_stable_function_of_the_input(emulator: OpenAIEmulator) -> None:
    def verdict() -> str:
        with make_client(emulator) as sdk:
            first = sdk.responses.create(input=PITCH, **turn_kwargs())
            final = sdk.responses.create(
                previous_response_id=first.id, input=tool_outputs(first), **turn_kwargs()
            )
            return json.loads(final.output_text)["Assessment"]

    assert verdict() == verdict()


def test_it_rejects_a_continuation_missing_a_tool_output(client: OpenAI) -> None:
    first = client.responses.create(input=PITCH, **turn_kwargs())
    missing = function_calls(first)[1].call_id

    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(previous_response_id=first.id, input=tool_outputs(first)[:1], **turn_kwargs())

    assert caught.value.message.endswith(f"No tool output found for function call {missing}.")
    assert caught.value.param == "input"


def test_it_rejects_an_output_for_a_call_that_was_never_made(client: OpenAI) -> None:
    first = client.responses.create(input=PITCH, **turn_kwargs())
    bogus = [*tool_outputs(first), {"type": "function_call_output", "call_id": "call_nope", "output": "{}"}]

    with pytest.raises(
        openai.BadRequestError, match="No tool call found for function call output with call_id call_nope"
    ):
        client.responses.create(previous_response_id=first.id, input=bogus, **turn_kwargs())


def test_it_rejects_an_unknown_previous_response(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(previous_response_id="resp_missing", input="hi", model=MODEL)

    assert caught.value.code == "previous_response_not_found"
    assert caught.value.param == "previous_response_id"
    assert "Previous response with id 'resp_missing' not found." in caught.value.message


def test_it_rejects_continuing_a_response_that_is_still_running(client: OpenAI) -> None:
    first = client.responses.create(input=PITCH, background=True, **turn_kwargs())

    with pytest.raises(openai.BadRequestError, match="still queued"):
        client.responses.create(previous_response_id=first.id, input="more", model=MODEL)


def test_it_answers_directly_when_no_tools_are_offered(client: OpenAI) -> None:
    response = client.responses.create(model=MODEL, input=PITCH, text=turn_kwargs()["text"])

    jsonschema.validate(json.loads(response.output_text), VERDICT_SCHEMA)


def test_it_answers_directly_when_tool_choice_is_none(client: OpenAI) -> None:
    response = client.responses.create(input=PITCH, **turn_kwargs(tool_choice="none"))

    assert not function_calls(response)
    assert json.loads(response.output_text)["Reasoning"].startswith("Answered directly")


def test_it_calls_only_the_forced_tool(client: OpenAI) -> None:
    response = client.responses.create(
        input=PITCH, **turn_kwargs(tool_choice={"type": "function", "name": "search_web"})
    )

    assert [call.name for call in function_calls(response)] == ["search_web"]


def test_it_calls_one_tool_per_turn_without_parallel_tool_calls(client: OpenAI) -> None:
    kwargs = turn_kwargs(parallel_tool_calls=False)
    first = client.responses.create(input=PITCH, **kwargs)
    second = client.responses.create(previous_response_id=first.id, input=tool_outputs(first), **kwargs)
    final = client.responses.create(previous_response_id=second.id, input=tool_outputs(second), **kwargs)

    assert [call.name for call in function_calls(first)] == ["lookup_company"]
    assert [call.name for call in function_calls(second)] == ["search_web"]
    reasoning = json.loads(final.output_text)["Reasoning"]
    assert "lookup_company" in reasoning and "search_web" in reasoning


def test_it_answers_plain_text_without_a_format(client: OpenAI) -> None:
    first = client.responses.create(model=MODEL, input=PITCH, tools=[LOOKUP_COMPANY])
    final = client.responses.create(model=MODEL, previous_response_id=first.id, input=tool_outputs(first))

    assert final.output_text.startswith("Called 1 tool: lookup_company returned")


def test_reasoning_models_put_a_reasoning_item_first_and_others_do_not(client: OpenAI) -> None:
    reasoning = client.responses.create(model="gpt-5.4-mini", input=PITCH)
    plain = client.responses.create(model="gpt-4.1-mini", input=PITCH)
    no_effort = client.responses.create(model="gpt-5.4-mini", input=PITCH, reasoning={"effort": "none"})

    assert [item.type for item in reasoning.output] == ["reasoning", "message"]
    assert reasoning.usage.output_tokens_details.reasoning_tokens > 0
    assert [item.type for item in plain.output] == ["message"]
    assert plain.usage.output_tokens_details.reasoning_tokens == 0
    assert [item.type for item in no_effort.output] == ["message"]


def test_call_ids_are_reproducible_across_emulators_and_unique_within_one() -> None:
    def call_ids() -> list[str]:
        with OpenAIEmulator() as emu, make_client(emu) as sdk:
            return [
                call.call_id
                for _ in range(2)
                for call in function_calls(sdk.responses.create(input=PITCH, **turn_kwargs()))
            ]

    ids = call_ids()
    assert ids == call_ids()
    assert len(set(ids)) == 4


def test_it_reports_cached_tokens_for_a_repeated_long_prefix(client: OpenAI) -> None:
    long_instructions = "Evaluate the pitch carefully. " * 200  # ~1,500 tokens
    kwargs = turn_kwargs(instructions=long_instructions, prompt_cache_key="pitch-eval-v1")

    cold = client.responses.create(input=PITCH, **kwargs)
    warm = client.responses.create(input=PITCH + "\nSecond pitch.", **kwargs)

    assert cold.usage.input_tokens_details.cached_tokens == 0
    assert cold.usage.input_tokens_details.cache_write_tokens > 0
    cached = warm.usage.input_tokens_details.cached_tokens
    assert cached >= 1024 and cached % 128 == 0 and cached <= warm.usage.input_tokens


def test_a_chained_turn_hits_the_cache_for_the_previous_prompt(client: OpenAI) -> None:
    kwargs = turn_kwargs(instructions="Evaluate the pitch carefully. " * 200)
    first = client.responses.create(input=PITCH, **kwargs)
    final = client.responses.create(previous_response_id=first.id, input=tool_outputs(first), **kwargs)

    assert final.usage.input_tokens > first.usage.input_tokens
    assert final.usage.input_tokens_details.cached_tokens >= first.usage.input_tokens // 128 * 128


def test_the_sdk_parse_helper_reads_the_structured_answer(client: OpenAI) -> None:
    class Verdict(BaseModel):
        Assessment: Literal["Strong", "Promising", "Weak"]
        Reasoning: str

    parsed = client.responses.parse(model=MODEL, input=PITCH, text_format=Verdict)

    assert isinstance(parsed.output_parsed, Verdict)


def test_it_follows_refs_in_pydantic_generated_tool_schemas(client: OpenAI) -> None:
    class Address(BaseModel):
        city: str
        country_code: Literal["DE", "FR", "US"]

    class Lookup(BaseModel):
        company_name: str
        offices: list[Address]
        headquarters: Address | None

    tool = openai.pydantic_function_tool(Lookup)  # chat-completions shape; flatten for Responses
    flat = {
        "type": "function",
        "name": tool["function"]["name"],
        "parameters": tool["function"]["parameters"],
        "strict": True,
    }

    response = client.responses.create(model=MODEL, input=PITCH, tools=[flat])

    arguments = json.loads(function_calls(response)[0].arguments)
    jsonschema.validate(arguments, flat["parameters"])
    assert arguments["headquarters"]["country_code"] == "DE"
