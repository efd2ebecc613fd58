"""The exact responses.create arguments of a run's first turn, built from unsaved rows."""

from datetime import UTC, datetime

from tests.support.runs import VERDICT_SCHEMA
from vicbot.models import Assistant, Run
from vicbot.services.runs.request import next_turn_request


def assistant(**fields) -> Assistant:
    return Assistant(name="tester", version=3, instructions="Assess.", output_schema_name="verdict",
                     output_schema=VERDICT_SCHEMA, **fields)


def test_the_first_turn_sends_instructions_schema_tools_and_the_input():
    run = Run(pk=41, assistant=assistant(reasoning_effort="low", max_output_tokens=900), model="gpt-test",
              input="Acme Robotics", tool_definitions=[{"type": "function", "name": "web_scrape"}],
              deadline_at=datetime.now(UTC))

    request = next_turn_request(run)

    assert request["model"] == "gpt-test" and request["instructions"] == "Assess."
    assert request["text"]["format"] == {"type": "json_schema", "name": "verdict", "schema": VERDICT_SCHEMA,
                                         "strict": True}
    assert (request["background"], request["store"]) == (True, True)
    assert request["metadata"] == {"vicbot_run": "41", "vicbot_turn": "1"}
    assert request["prompt_cache_key"] == "vicbot:tester:v3"
    assert request["tools"] == run.tool_definitions and request["parallel_tool_calls"] is True
    assert request["reasoning"] == {"effort": "low"} and request["max_output_tokens"] == 900
    assert request["input"] == [{"role": "user", "content": "Acme Robotics"}]
    assert "previous_response_id" not in request


def test_a_run_without_tools_offers_none_and_leaves_optional_settings_out():
    run = Run(pk=7, assistant=assistant(), model="gpt-test", input="x", deadline_at=datetime.now(UTC))

    request = next_turn_request(run)

    assert not {"tools", "parallel_tool_calls", "reasoning", "max_output_tokens"} & set(request)
