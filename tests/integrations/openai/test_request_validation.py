"""Requests OpenAI would reject are rejected the same way (status, message, param, code)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import openai
import pytest
from openai import OpenAI

from sandbox.emulators.openai import OpenAIEmulator

from .scenarios import MODEL, PITCH, VERDICT_SCHEMA


def bad_request(client: OpenAI, **kwargs: Any) -> openai.BadRequestError:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(**kwargs)
    return caught.value


def test_it_requires_a_model(client: OpenAI) -> None:
    error = bad_request(client, input=PITCH)

    assert (error.param, error.code) == ("model", "missing_required_parameter")


def test_it_rejects_background_without_store(client: OpenAI, emulator: OpenAIEmulator) -> None:
    error = bad_request(client, model=MODEL, input=PITCH, background=True, store=False)

    assert "store" in error.message
    assert emulator.response_ids() == []


def test_it_rejects_an_invalid_format_name(client: OpenAI) -> None:
    fmt = {
        "format": {"type": "json_schema", "name": "pitch verdict!", "schema": VERDICT_SCHEMA, "strict": True}
    }

    error = bad_request(client, model=MODEL, input=PITCH, text=fmt)

    assert error.param == "text.format.name"
    assert "does not match pattern" in error.message


def test_it_rejects_a_strict_format_schema_that_strict_mode_cannot_use(client: OpenAI) -> None:
    schema = {**VERDICT_SCHEMA, "required": ["Assessment"]}
    fmt = {"format": {"type": "json_schema", "name": "pitch_verdict", "schema": schema, "strict": True}}

    error = bad_request(client, model=MODEL, input=PITCH, text=fmt)

    assert (error.param, error.code) == ("text.format.schema", "invalid_json_schema")
    assert "Missing 'Reasoning'" in error.message


def test_it_rejects_a_strict_tool_whose_objects_allow_extra_properties(client: OpenAI) -> None:
    tool = {
        "type": "function",
        "name": "lookup",
        "strict": True,
        "parameters": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
    }

    error = bad_request(client, model=MODEL, input=PITCH, tools=[tool])

    assert error.param == "tools[0].parameters"
    assert "'additionalProperties' is required to be supplied and to be false" in error.message


def test_it_accepts_a_loose_tool_schema_when_strict_is_false(client: OpenAI) -> None:
    tool = {
        "type": "function",
        "name": "lookup",
        "strict": False,
        "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
    }

    response = client.responses.create(model=MODEL, input=PITCH, tools=[tool])

    assert response.output[-1].type == "function_call"


def test_it_rejects_unknown_parameters(client: OpenAI) -> None:
    error = bad_request(client, model=MODEL, input=PITCH, extra_body={"max_tokens": 100})

    assert (error.param, error.code) == ("max_tokens", "unknown_parameter")


def test_it_rejects_a_forced_tool_that_is_not_offered(client: OpenAI) -> None:
    error = bad_request(client, model=MODEL, input=PITCH, tool_choice={"type": "function", "name": "ghost"})

    assert error.param == "tool_choice"


def test_it_enforces_metadata_limits(client: OpenAI) -> None:
    error = bad_request(client, model=MODEL, input=PITCH, metadata={f"k{i}": "v" for i in range(17)})

    assert error.code == "object_above_max_properties"


def test_it_rejects_a_tiny_max_output_tokens(client: OpenAI) -> None:
    error = bad_request(client, model=MODEL, input=PITCH, max_output_tokens=5)

    assert error.code == "integer_below_min_value"


def test_it_rejects_a_wrong_api_key(emulator: OpenAIEmulator) -> None:
    sdk = OpenAI(api_key="sk-wrong-key-1234", base_url=emulator.base_url, max_retries=0)
    with sdk, pytest.raises(openai.AuthenticationError) as caught:
        sdk.responses.create(model=MODEL, input=PITCH)

    assert caught.value.code == "invalid_api_key"
    assert caught.value.type == "invalid_request_error"
    assert "sk-wrong-key-1234" not in caught.value.message  # masked, as OpenAI does
    assert emulator.response_ids() == []


def test_it_rejects_a_missing_api_key(emulator: OpenAIEmulator) -> None:
    request = urllib.request.Request(f"{emulator.base_url}/responses/resp_x", method="GET")

    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)

    assert caught.value.code == 401
    body = json.loads(caught.value.read())
    assert body["error"]["code"] == "invalid_api_key" and body["error"]["param"] is None


def test_it_answers_404_for_unknown_routes(emulator: OpenAIEmulator) -> None:
    request = urllib.request.Request(
        f"{emulator.base_url}/chat/completions",
        data=b"{}",
        method="POST",
        headers={"authorization": f"Bearer {emulator.api_key}", "content-type": "application/json"},
    )

    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)

    assert caught.value.code == 404
    assert json.loads(caught.value.read())["error"]["message"] == "Invalid URL (POST /v1/chat/completions)"


def test_every_reply_carries_request_id_and_rate_limit_headers(client: OpenAI) -> None:
    raw = client.responses.with_raw_response.create(model=MODEL, input=PITCH)

    assert raw.headers["x-request-id"].startswith("req_")
    assert raw.parse().id.startswith("resp_")
    assert int(raw.headers["x-ratelimit-remaining-requests"]) < int(raw.headers["x-ratelimit-limit-requests"])
    for name in ("limit-tokens", "remaining-tokens", "reset-requests", "reset-tokens"):
        assert raw.headers[f"x-ratelimit-{name}"]
    assert raw.headers["x-ratelimit-reset-requests"].endswith("ms")


def test_errors_carry_the_request_id_too(client: OpenAI) -> None:
    error = bad_request(client, input=PITCH)

    assert error.request_id and error.request_id.startswith("req_")
