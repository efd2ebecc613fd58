"""Request validation for ``POST /v1/responses``, with OpenAI's error wording.

Only what a client of this product can plausibly get wrong is checked, but those
checks are as strict as the real API: a request the emulator accepts should not
be rejected by OpenAI for the same reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from . import items
from .errors import bad_request

# Top-level CreateResponse parameters (OpenAPI spec + SDK 3.54). OpenAI rejects others.
KNOWN_PARAMETERS = frozenset(
    {
        "access_programs", "background", "background_options", "context_management", "conversation",
        "image", "include", "input", "instructions", "max_output_tokens", "max_tool_calls", "metadata",
        "model", "moderation", "parallel_tool_calls", "previous_response_id", "prompt", "prompt_cache_key",
        "prompt_cache_options", "prompt_cache_retention", "reasoning", "safety_identifier", "service_tier",
        "store", "stream", "stream_options", "temperature", "text", "tool_choice", "tools", "top_logprobs",
        "top_p", "truncation", "user",
    }
)  # fmt: skip
_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_-]+$")
_ROLES = ("assistant", "system", "developer", "user")
_SERVICE_TIERS = ("auto", "default", "flex", "scale", "priority", "fast", "ultrafast")


def validate_create(body: Any) -> dict[str, Any]:
    """Checks a create body that needs no stored state; returns it as a dict."""
    if not isinstance(body, dict):
        raise bad_request("Invalid type for request body: expected an object.", code="invalid_type")
    for key in body:
        if key not in KNOWN_PARAMETERS:
            raise bad_request(f"Unknown parameter: '{key}'.", param=key, code="unknown_parameter")
    if not body.get("model"):
        raise bad_request(
            "Missing required parameter: 'model'.", param="model", code="missing_required_parameter"
        )
    if body.get("stream"):
        # Streaming is real OpenAI behaviour the emulator does not implement; say so plainly.
        raise bad_request(
            "The emulator does not support stream=true.", param="stream", code="unsupported_parameter"
        )
    if body.get("background") and body.get("store") is False:
        raise bad_request(
            "Background mode requires 'store' to be true; stored responses are needed for polling.",
            param="background",
            code="invalid_value",
        )
    if body.get("previous_response_id") and body.get("conversation"):
        raise bad_request(
            "Mutually exclusive parameters: Ensure you are only providing one of: "
            "'previous_response_id' or 'conversation'.",
            param="previous_response_id",
            code="mutually_exclusive_parameters",
        )
    if body.get("conversation"):
        conversation = body["conversation"]
        conversation_id = conversation.get("id") if isinstance(conversation, Mapping) else conversation
        raise bad_request(
            f"Conversation with id '{conversation_id}' not found.", param="conversation", code="invalid_value"
        )
    _check_range(body, "temperature", 0, 2)
    _check_range(body, "top_p", 0, 1)
    _check_max_output_tokens(body)
    _check_metadata(body.get("metadata"))
    _check_service_tier(body.get("service_tier"))
    _check_input(body.get("input"))
    _check_tools(body.get("tools"))
    _check_tool_choice(body.get("tool_choice"), body.get("tools") or [])
    _check_text(body)
    return body


def check_tool_outputs(request_input: Any, previous_output: Sequence[Mapping[str, Any]]) -> None:
    """Every function call must get an output, and every output must answer a call."""
    given = items.input_items(request_input)
    calls = items.function_calls(previous_output) + items.function_calls(given)
    answered = {out.get("call_id") for out in items.function_outputs(given)}
    for call in calls:
        if call.get("call_id") not in answered:
            raise bad_request(f"No tool output found for function call {call.get('call_id')}.", param="input")
    known = {call.get("call_id") for call in calls}
    for out in items.function_outputs(given):
        if out.get("call_id") not in known:
            raise bad_request(
                f"No tool call found for function call output with call_id {out.get('call_id')}.",
                param="input",
            )


def strict_schema_problem(schema: Any) -> str | None:
    """Why ``schema`` is not usable in strict mode (OpenAI's wording), or None."""
    if not isinstance(schema, Mapping) or schema.get("type") != "object":
        got = schema.get("type") if isinstance(schema, Mapping) else type(schema).__name__
        return f"schema must be a JSON Schema of 'type: \"object\"', got 'type: \"{got}\"'."
    return _strict_problem(schema, ())


def _strict_problem(node: Any, context: tuple[str, ...]) -> str | None:
    if not isinstance(node, Mapping):
        return None
    declared = node.get("type")
    is_object = declared == "object" or (isinstance(declared, list) and "object" in declared)
    if is_object or "properties" in node:
        if node.get("additionalProperties") is not False:
            return (
                f"In context={context!r}, 'additionalProperties' is required to be supplied and to be false."
            )
        properties = node.get("properties") or {}
        required = node.get("required")
        missing = [key for key in properties if not isinstance(required, list) or key not in required]
        if missing:
            return (
                f"In context={context!r}, 'required' is required to be supplied and to be an array including "
                f"every key in properties. Missing '{missing[0]}'."
            )
        for key, sub in properties.items():
            if problem := _strict_problem(sub, (*context, "properties", key)):
                return problem
    if "items" in node and (problem := _strict_problem(node["items"], (*context, "items"))):
        return problem
    for keyword in ("anyOf", "allOf"):
        for index, sub in enumerate(node.get(keyword) or []):
            if problem := _strict_problem(sub, (*context, keyword, str(index))):
                return problem
    for keyword in ("$defs", "definitions"):
        for key, sub in (node.get(keyword) or {}).items():
            if problem := _strict_problem(sub, (*context, keyword, key)):
                return problem
    return None


def _check_range(body: Mapping[str, Any], key: str, low: float, high: float) -> None:
    value = body.get(key)
    if value is None:
        return
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise bad_request(f"Invalid type for '{key}': expected a decimal.", param=key, code="invalid_type")
    if value > high:
        raise bad_request(
            f"Invalid '{key}': decimal above maximum value. "
            f"Expected a value <= {high}, but got {value} instead.",
            param=key,
            code="decimal_above_max_value",
        )
    if value < low:
        raise bad_request(
            f"Invalid '{key}': decimal below minimum value. "
            f"Expected a value >= {low}, but got {value} instead.",
            param=key,
            code="decimal_below_min_value",
        )


def _check_max_output_tokens(body: Mapping[str, Any]) -> None:
    value = body.get("max_output_tokens")
    if value is not None and (not isinstance(value, int) or value < 16):
        raise bad_request(
            "Invalid 'max_output_tokens': integer below minimum value. "
            f"Expected a value >= 16, but got {value} instead.",
            param="max_output_tokens",
            code="integer_below_min_value",
        )


def _check_metadata(metadata: Any) -> None:
    if metadata is None:
        return
    if not isinstance(metadata, Mapping):
        raise bad_request(
            "Invalid type for 'metadata': expected an object.", param="metadata", code="invalid_type"
        )
    if len(metadata) > 16:
        raise bad_request(
            "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, "
            f"but got an object with {len(metadata)} properties instead.",
            param="metadata",
            code="object_above_max_properties",
        )
    for key, value in metadata.items():
        if len(key) > 64:
            raise bad_request(
                f"Invalid 'metadata': key '{key[:20]}…' is longer than 64 characters.",
                param="metadata",
                code="invalid_value",
            )
        if not isinstance(value, str):
            raise bad_request(
                f"Invalid type for 'metadata.{key}': expected a string, "
                f"but got {type(value).__name__} instead.",
                param=f"metadata.{key}",
                code="invalid_type",
            )
        if len(value) > 512:
            raise bad_request(
                f"Invalid 'metadata.{key}': string too long. Expected a string with maximum length 512, "
                f"but got a string with length {len(value)} instead.",
                param=f"metadata.{key}",
                code="string_above_max_length",
            )


def _check_service_tier(tier: Any) -> None:
    if tier is not None and tier not in _SERVICE_TIERS:
        supported = ", ".join(f"'{t}'" for t in _SERVICE_TIERS)
        raise bad_request(
            f"Invalid value: '{tier}'. Supported values are: {supported}.",
            param="service_tier",
            code="invalid_value",
        )


def _check_input(request_input: Any) -> None:
    if request_input is None or isinstance(request_input, str):
        return
    if not isinstance(request_input, list):
        raise bad_request(
            "Invalid type for 'input': expected a string or an array.", param="input", code="invalid_type"
        )
    for index, item in enumerate(request_input):
        if not isinstance(item, Mapping):
            raise bad_request(
                f"Invalid type for 'input[{index}]': expected an object.",
                param=f"input[{index}]",
                code="invalid_type",
            )
        kind = items.item_type(item)
        if kind == "message" and item.get("role") not in _ROLES:
            raise bad_request(
                f"Invalid value: '{item.get('role')}'. Supported values are: 'assistant', 'system', "
                "'developer', and 'user'.",
                param=f"input[{index}].role",
                code="invalid_value",
            )
        if kind == "function_call_output":
            for key in ("call_id", "output"):
                if item.get(key) is None:
                    raise bad_request(
                        f"Missing required parameter: 'input[{index}].{key}'.",
                        param=f"input[{index}].{key}",
                        code="missing_required_parameter",
                    )


def _check_tools(tools: Any) -> None:
    if tools is None:
        return
    if not isinstance(tools, list):
        raise bad_request("Invalid type for 'tools': expected an array.", param="tools", code="invalid_type")
    seen: set[str] = set()
    for index, tool in enumerate(tools):
        if not isinstance(tool, Mapping) or tool.get("type") != "function":
            continue  # built-in tools are echoed back untouched and never called by the script
        name = tool.get("name")
        where = f"tools[{index}]"
        if not name:
            raise bad_request(
                f"Missing required parameter: '{where}.name'.",
                param=f"{where}.name",
                code="missing_required_parameter",
            )
        _check_name(name, f"{where}.name")
        if name in seen:
            raise bad_request(
                f"Invalid 'tools': duplicate function name '{name}'.", param="tools", code="invalid_value"
            )
        seen.add(name)
        parameters = tool.get("parameters")
        if parameters is not None and not isinstance(parameters, Mapping):
            raise bad_request(
                f"Invalid type for '{where}.parameters': expected an object.",
                param=f"{where}.parameters",
                code="invalid_type",
            )
        # The Responses API treats function tools as strict unless told otherwise.
        strict = tool.get("strict") is not False
        if strict and parameters is not None and (problem := strict_schema_problem(parameters)):
            raise bad_request(
                f"Invalid schema for function '{name}': {problem}",
                param=f"{where}.parameters",
                code="invalid_function_parameters",
            )


def _check_tool_choice(choice: Any, tools: Sequence[Any]) -> None:
    if choice is None or choice in ("none", "auto", "required"):
        return
    if isinstance(choice, Mapping) and choice.get("type") == "function":
        names = {tool.get("name") for tool in tools if isinstance(tool, Mapping)}
        if choice.get("name") not in names:
            raise bad_request(
                f"Tool choice 'function' with name '{choice.get('name')}' not found in 'tools' parameter.",
                param="tool_choice",
            )
        return
    if isinstance(choice, Mapping) and choice.get("type"):
        return
    raise bad_request(
        f"Invalid value: '{choice}'. Supported values are: 'none', 'auto', and 'required'.",
        param="tool_choice",
        code="invalid_value",
    )


def _check_text(body: Mapping[str, Any]) -> None:
    text = body.get("text")
    if text is None:
        return
    fmt = text.get("format") if isinstance(text, Mapping) else None
    if fmt is None:
        return
    kind = fmt.get("type")
    if kind == "json_schema":
        for key in ("name", "schema"):
            if fmt.get(key) is None:
                raise bad_request(
                    f"Missing required parameter: 'text.format.{key}'.",
                    param=f"text.format.{key}",
                    code="missing_required_parameter",
                )
        _check_name(fmt["name"], "text.format.name")
        if fmt.get("strict") and (problem := strict_schema_problem(fmt["schema"])):
            raise bad_request(
                f"Invalid schema for response_format '{fmt['name']}': {problem}",
                param="text.format.schema",
                code="invalid_json_schema",
            )
    elif kind == "json_object":
        conversation = items.items_text(items.input_items(body.get("input"))) + str(
            body.get("instructions") or ""
        )
        if "json" not in conversation.lower():
            raise bad_request(
                "Response input messages must contain the word 'json' in some form to use 'text.format' "
                "of type 'json_object'.",
                param="input",
            )
    elif kind != "text":
        raise bad_request(
            f"Invalid value: '{kind}'. Supported values are: 'text', 'json_object', and 'json_schema'.",
            param="text.format.type",
            code="invalid_value",
        )


def _check_name(name: Any, param: str) -> None:
    if not isinstance(name, str) or not _NAME_PATTERN.match(name):
        raise bad_request(
            f"Invalid '{param}': string does not match pattern. Expected a string that matches the pattern "
            f"'{_NAME_PATTERN.pattern}'.",
            param=param,
            code="invalid_value",
        )
    if len(name) > 64:
        raise bad_request(
            f"Invalid '{param}': string too long. Expected a string with maximum length 64, but got a string "
            f"with length {len(name)} instead.",
            param=param,
            code="string_above_max_length",
        )
