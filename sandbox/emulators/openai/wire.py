"""Rendering stored responses as OpenAI ``Response`` JSON bodies.

Every key the OpenAPI ``Response`` schema requires is always present (``null``
where nullable), and request settings are echoed back the way the real API
echoes them (defaults filled in), because clients and the SDK's strict
validation both read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import reasoning_effort
from .store import StoredResponse

_TIER_REPORTED = {None: "default", "auto": "default", "fast": "priority"}


def response_body(record: StoredResponse, now: float) -> dict[str, Any]:
    request = record.request
    status = record.status(now)
    outcome = record.outcome
    body: dict[str, Any] = {
        "id": record.id,
        "object": "response",
        "created_at": int(record.created_at),
        "status": status,
        "background": record.background,
        "completed_at": int(record.finished_at()) if status == "completed" else None,
        "error": outcome.error if status == "failed" else None,
        "incomplete_details": outcome.incomplete_details if status == "incomplete" else None,
        "instructions": request.get("instructions"),
        "max_output_tokens": request.get("max_output_tokens"),
        "max_tool_calls": request.get("max_tool_calls"),
        "model": request["model"],
        "output": record.visible_output(now),
        "parallel_tool_calls": request.get("parallel_tool_calls") is not False,
        "previous_response_id": request.get("previous_response_id"),
        "prompt_cache_key": request.get("prompt_cache_key"),
        "prompt_cache_retention": request.get("prompt_cache_retention"),
        "reasoning": _reasoning(request),
        "safety_identifier": request.get("safety_identifier"),
        "service_tier": _TIER_REPORTED.get(request.get("service_tier"), request.get("service_tier")),
        "store": request.get("store") is not False,
        "temperature": _number(request.get("temperature"), 1.0),
        "text": _text(request.get("text") or {}),
        "tool_choice": request.get("tool_choice") or "auto",
        "tools": [_tool(tool) for tool in request.get("tools") or []],
        "top_logprobs": request.get("top_logprobs") or 0,
        "top_p": _number(request.get("top_p"), 1.0),
        "truncation": request.get("truncation") or "disabled",
        "metadata": request.get("metadata") or {},
    }
    # usage is not nullable in the spec, so it is left out until there is one.
    if status in ("completed", "incomplete") and outcome.usage is not None:
        body["usage"] = outcome.usage
    if request.get("user") is not None:  # deprecated and non-nullable: only echoed when sent
        body["user"] = request["user"]
    return body


def deleted_body(response_id: str) -> dict[str, Any]:
    return {"id": response_id, "object": "response.deleted", "deleted": True}


def _reasoning(request: Mapping[str, Any]) -> dict[str, Any]:
    sent = dict(request.get("reasoning") or {})
    effort = reasoning_effort(request)
    return {**sent, "effort": sent.get("effort") or effort, "summary": sent.get("summary")}


def _text(text: Mapping[str, Any]) -> dict[str, Any]:
    fmt = dict(text.get("format") or {"type": "text"})
    if fmt.get("type") == "json_schema":
        fmt["strict"] = bool(fmt.get("strict"))
        if fmt.get("description") is None:
            fmt.pop("description", None)  # a string when present, never null
    return {"format": fmt, "verbosity": text.get("verbosity") or "medium"}


def _tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    if tool.get("type") != "function":
        return dict(tool)
    strict = tool.get("strict")
    return {
        **tool,
        "description": tool.get("description"),
        "parameters": tool.get("parameters"),
        "strict": True if strict is None else strict,
    }


def _number(value: Any, default: float) -> float:
    return float(default if value is None else value)
