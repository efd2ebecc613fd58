"""The whole tool loop on the real worker, against the OpenAI emulator."""

import json
from decimal import Decimal

import pytest
from jsonschema import validate

from tests.support.handlers import RECORD_OUTCOME, calls_for
from tests.support.runs import PITCH, VERDICT_SCHEMA, make_assistant, start_with_faults, wait_until_done
from vicbot.models import CompletionState, ModelPrice, RunStatus, ToolCall
from vicbot.runs import start_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]


def creates_for(emulator, run):
    return [body for method, path, body, _ in emulator.requests
            if method == "POST" and path.endswith("/responses") and body["metadata"]["vicbot_run"] == str(run.pk)]


def test_it_calls_the_tools_then_answers_with_json_valid_for_the_schema(openai_emu, settings):
    make_assistant(tool_names=["test_lookup", "test_chatter"])
    # The migrations' price row for the model may be there (a fresh database) or not (after a flush).
    ModelPrice.objects.update_or_create(model=settings.OPENAI_MODEL, defaults={
        "input_per_million": 1, "cached_input_per_million": 0, "output_per_million": 10})

    run = start_run(assistant="tester", input=PITCH, metadata={"pitch": "42"},
                    on_complete=RECORD_OUTCOME)
    run = wait_until_done(run)

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    validate(run.output_json, VERDICT_SCHEMA)
    assert json.loads(run.output_text) == run.output_json
    assert run.turn == 2 and len(run.response_ids) == 2
    calls = list(run.tool_calls.order_by("name"))
    assert [(c.name, c.status) for c in calls] == [("test_chatter", "succeeded"), ("test_lookup", "succeeded")]
    assert json.loads(calls[1].output)["company"] == "Acme Robotics"
    assert run.input_tokens > 0 and run.output_tokens > 0 and run.reasoning_tokens >= 0
    uncached = run.input_tokens - run.cached_input_tokens
    assert run.cost_usd == (Decimal(uncached) + Decimal(run.output_tokens) * 10) / 1_000_000
    assert run.started_at and run.finished_at
    assert calls_for(run.pk) == [f"run-{run.pk}-succeeded"]
    assert run.completion_state == CompletionState.DONE


def test_every_turn_resends_instructions_tools_and_format_byte_identical(openai_emu):
    make_assistant(tool_names=["test_lookup"])

    run = wait_until_done(start_run(assistant="tester", input=PITCH))

    first, second = creates_for(openai_emu, run)
    for key in ("model", "instructions", "tools", "text", "prompt_cache_key"):
        assert json.dumps(first[key], sort_keys=False) == json.dumps(second[key], sort_keys=False), key
    assert first["background"] is True and first["store"] is True
    assert first["metadata"] == {"vicbot_run": str(run.pk), "vicbot_turn": "1"}
    assert second["metadata"] == {"vicbot_run": str(run.pk), "vicbot_turn": "2"}
    assert second["previous_response_id"] == run.response_ids[0]
    outputs = [item for item in second["input"] if item["type"] == "function_call_output"]
    assert {o["call_id"] for o in outputs} == set(run.tool_calls.values_list("call_id", flat=True))


def test_the_sdk_never_retries_a_create_by_itself(openai_emu):
    make_assistant(tool_names=[])

    # The SDK would retry a 500 at once (x-stainless-retry-count 1); the engine retries later, anew.
    run = wait_until_done(start_with_faults(openai_emu, [("create", {"status": 500})]))

    assert run.status == RunStatus.SUCCEEDED and run.attempts == 1
    creates = [headers for method, path, body, headers in openai_emu.requests
               if method == "POST" and path.endswith("/responses")
               and body["metadata"]["vicbot_run"] == str(run.pk)]
    assert [h.get("x-stainless-retry-count", "0") for h in creates] == ["0", "0"]


def test_a_tool_that_raises_times_out_or_talks_too_much_is_reported_to_the_model(openai_emu, settings):
    make_assistant(tool_names=["test_explode", "test_hang", "test_chatter"])

    run = wait_until_done(start_run(assistant="tester", input=PITCH))

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    calls = {c.name: c for c in run.tool_calls.all()}
    assert calls["test_explode"].status == ToolCall.Status.FAILED
    assert "RuntimeError: the registry of Acme Robotics is on fire" in json.loads(calls["test_explode"].output)["error"]["message"]
    assert calls["test_hang"].status == ToolCall.Status.TIMED_OUT
    assert json.loads(calls["test_hang"].output)["error"]["type"] == "timeout"
    chatter = calls["test_chatter"].output
    assert len(chatter) <= settings.TOOL_OUTPUT_MAX_CHARS
    assert "[truncated by Vicbot:" in chatter
    second_turn = creates_for(openai_emu, run)[1]
    sent = {o["call_id"]: o["output"] for o in second_turn["input"]}
    assert sent[calls["test_explode"].call_id] == calls["test_explode"].output


def test_an_unknown_tool_or_malformed_arguments_go_back_to_the_model_as_errors(openai_emu):
    make_assistant(tool_names=["test_lookup"])
    run = start_with_faults(openai_emu, [("create", {"outcome": "call_tool", "name": "delete_everything",
                                                     "arguments": "{}"})])
    run = wait_until_done(run)
    assert run.status == RunStatus.SUCCEEDED
    (call,) = run.tool_calls.all()
    assert call.status == ToolCall.Status.FAILED
    assert json.loads(call.output)["error"]["type"] == "unknown_tool"

    run = start_with_faults(openai_emu, [("create", {"outcome": "call_tool", "name": "test_lookup",
                                                     "arguments": '{"company_name": '})])
    run = wait_until_done(run)
    assert run.status == RunStatus.SUCCEEDED
    (call,) = run.tool_calls.all()
    assert json.loads(call.output)["error"]["type"] == "invalid_arguments"
