"""Every body the emulator sends validates against OpenAI's own OpenAPI description."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
import pytest
import yaml
from jsonschema import Draft202012Validator
from openai import OpenAI
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from sandbox.emulators.openai import Clock, OpenAIEmulator

from .scenarios import MODEL, PITCH, tool_outputs, turn_kwargs
from .support import WebhookReceiver, wait_until

SPEC = Path(__file__).resolve().parents[3].parent / "shared/reference/openai-openapi.yaml"

Validate = Callable[[str, Any], None]


@pytest.fixture(scope="module")
def validate() -> Validate:
    """``validate(schema_name, body)`` against ``#/components/schemas/<schema_name>``."""
    # ../shared sits beside every checkout and CI clone: its absence is a broken setup, not a skip.
    assert SPEC.exists(), f"OpenAI's OpenAPI description not found at {SPEC}"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader reads the 3 MB file ~10x faster
    with SPEC.open() as handle:
        spec = yaml.load(handle, Loader=loader)
    registry = Registry().with_resource(
        "urn:openai", Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    validators: dict[str, Draft202012Validator] = {}

    def check(schema_name: str, body: Any) -> None:
        if schema_name not in validators:
            ref = {"$ref": f"urn:openai#/components/schemas/{schema_name}"}
            validators[schema_name] = Draft202012Validator(ref, registry=registry)
        errors = sorted(validators[schema_name].iter_errors(body), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors)

    return check


def wire(raw: Any) -> dict[str, Any]:
    """The JSON body exactly as sent, before the SDK parses it."""
    return raw.http_response.json()


def create(client: OpenAI, **kwargs: Any) -> dict[str, Any]:
    return wire(client.responses.with_raw_response.create(**{"input": PITCH, **turn_kwargs(), **kwargs}))


def retrieve(client: OpenAI, response_id: str) -> dict[str, Any]:
    return wire(client.responses.with_raw_response.retrieve(response_id))


def test_background_bodies_validate_at_every_stage(client: OpenAI, clock: Clock, validate: Validate) -> None:
    queued = create(client, background=True, metadata={"job": "1"})
    clock.advance(0.1)
    in_progress = retrieve(client, queued["id"])
    clock.advance(1)
    with_calls = retrieve(client, queued["id"])

    assert [queued["status"], in_progress["status"], with_calls["status"]] == [
        "queued",
        "in_progress",
        "completed",
    ]
    assert {item["type"] for item in with_calls["output"]} == {"reasoning", "function_call"}
    for body in (queued, in_progress, with_calls):
        validate("Response", body)


def test_a_final_message_validates(client: OpenAI, validate: Validate) -> None:
    first = client.responses.create(input=PITCH, **turn_kwargs())
    final = create(
        client,
        previous_response_id=first.id,
        input=tool_outputs(first),
        service_tier="flex",
        prompt_cache_key="pitch-eval",
        max_output_tokens=4000,
        reasoning={"effort": "low"},
    )

    assert final["output"][-1]["type"] == "message"
    validate("Response", final)


def test_a_plain_text_answer_from_a_non_reasoning_model_validates(client: OpenAI, validate: Validate) -> None:
    validate("Response", create(client, model="gpt-4.1-mini", tools=[], text={"format": {"type": "text"}}))


@pytest.mark.parametrize(
    "fault",
    [
        {"outcome": "failed", "error_code": "server_error"},
        {"outcome": "failed", "error_code": "rate_limit_exceeded"},
        {"outcome": "incomplete", "reason": "max_output_tokens"},
        {"outcome": "incomplete", "reason": "content_filter"},
        {"outcome": "refusal"},
        {"outcome": "invalid_json"},
        {"outcome": "call_tool", "name": "not_a_tool", "arguments": "{oops"},
    ],
    ids=lambda fault: "-".join(str(value) for value in fault.values()),
)
def test_in_band_outcomes_validate(
    client: OpenAI, emulator: OpenAIEmulator, clock: Clock, validate: Validate, fault: dict[str, Any]
) -> None:
    emulator.faults.add("create", **fault)
    created = create(client, background=True)
    clock.advance(1)

    validate("Response", retrieve(client, created["id"]))


def test_a_cancelled_response_validates(client: OpenAI, validate: Validate) -> None:
    created = create(client, background=True)

    cancelled = wire(client.responses.with_raw_response.cancel(created["id"]))

    assert cancelled["status"] == "cancelled"
    validate("Response", cancelled)


def test_error_bodies_validate(client: OpenAI, emulator: OpenAIEmulator, validate: Validate) -> None:
    emulator.faults.add("create", status=429, retry_after=2)
    emulator.faults.add("create", status=503)
    bodies = []
    for call in (
        lambda: client.responses.create(model=MODEL, input=PITCH),
        lambda: client.responses.create(model=MODEL, input=PITCH),
        lambda: client.responses.create(input=PITCH),
        lambda: client.responses.retrieve("resp_missing"),
    ):
        with pytest.raises(openai.APIStatusError) as caught:
            call()
        bodies.append(caught.value.response.json())

    for body in bodies:
        validate("ErrorResponse", body)


@pytest.mark.parametrize(
    ("fault", "schema_name"),
    [
        (None, "WebhookResponseCompleted"),
        ({"outcome": "failed"}, "WebhookResponseFailed"),
        ({"outcome": "incomplete"}, "WebhookResponseIncomplete"),
        ("cancel", "WebhookResponseCancelled"),
    ],
)
def test_webhook_events_validate(
    webhook_client: OpenAI,
    webhook_emulator: OpenAIEmulator,
    receiver: WebhookReceiver,
    clock: Clock,
    validate: Validate,
    fault: Any,
    schema_name: str,
) -> None:
    if isinstance(fault, dict):
        webhook_emulator.faults.add("create", **fault)
    created = webhook_client.responses.create(model=MODEL, input=PITCH, background=True)
    if fault == "cancel":
        webhook_client.responses.cancel(created.id)
    clock.advance(1)

    [(_, body)] = wait_until(lambda: receiver.received)

    validate(schema_name, json.loads(body))


def test_the_spec_check_rejects_bodies_openai_would_not_send(client: OpenAI, validate: Validate) -> None:
    body = create(client)
    without_tools = {key: value for key, value in body.items() if key != "tools"}

    for broken in ({**body, "status": "requires_action"}, without_tools, {**body, "usage": None}):
        with pytest.raises(AssertionError):
            validate("Response", broken)
