"""The exact `responses.create` arguments for a run's next turn.

Instructions, tools and format are not carried over by previous_response_id, so
every turn resends them, byte-identical (which also keeps the prompt-cache prefix).
"""

from __future__ import annotations

from typing import Any

from vicbot.models import Run, ToolCall


def next_turn_request(run: Run) -> dict[str, Any]:
    assistant = run.assistant
    request: dict[str, Any] = {
        "model": run.model,
        "instructions": assistant.instructions,
        "text": {
            "format": {
                "type": "json_schema",
                "name": assistant.output_schema_name,
                "schema": assistant.output_schema,
                "strict": True,
            }
        },
        "background": True,
        "store": True,  # background mode requires it
        "metadata": {"vicbot_run": str(run.pk), "vicbot_turn": str(run.turn + 1)},
        "prompt_cache_key": f"vicbot:{assistant.name}:v{assistant.version}",
        "service_tier": assistant.service_tier,
    }
    if run.tool_definitions:
        request["tools"] = run.tool_definitions
        request["parallel_tool_calls"] = True
    if assistant.reasoning_effort:
        request["reasoning"] = {"effort": assistant.reasoning_effort}
    if assistant.max_output_tokens:
        request["max_output_tokens"] = assistant.max_output_tokens
    if run.previous_response_id:
        request["previous_response_id"] = run.previous_response_id
        request["input"] = tool_outputs(run)
    else:
        request["input"] = [{"role": "user", "content": first_message_content(run)}]
    return request


def tool_outputs(run: Run) -> list[dict[str, str]]:
    """One function_call_output per call_id of the turn being continued (OpenAI requires all)."""
    calls = ToolCall.objects.filter(run=run, turn=run.turn).order_by("id")
    return [{"type": "function_call_output", "call_id": c.call_id, "output": c.output} for c in calls]


def first_message_content(run: Run) -> str | list[dict]:
    """The run's input text, and after it any content items the caller gave (files, further text)."""
    if not run.input_items:
        return run.input
    return [{"type": "input_text", "text": run.input}, *run.input_items]
