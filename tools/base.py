"""The shape of a tool and of what it returns to the model.

A tool never raises into a run: whatever goes wrong becomes a structured error the
model can read, and the output is bounded so one chatty website cannot blow the
context window.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import openai
from pydantic import BaseModel, ValidationError

from core.text import bound_text
from integrations.errors import IntegrationError
from tools.run_usage import RunUsage

# The run metadata key under which whoever starts a run names the site the run is about
# (the pipeline: the record's mapped Website field). Trusted: it never comes from the model.
WEBSITE_METADATA_KEY = "website"


@dataclass(frozen=True)
class EarlierOutput:
    """What an earlier tool call of the run returned, and which tool it was."""

    tool: str
    output: str
    ok: bool = True  # False: the call failed and `output` is its error


@dataclass(frozen=True)
class ToolContext:
    """What a tool may know about the run that called it (never secrets).

    `run_input` and `earlier_outputs` (the run's input and the outputs of its earlier
    tool calls, each with its tool's name) let a tool's policy check where a value came
    from, e.g. that a URL appeared verbatim in a page the run read rather than being
    invented by the model, or that a URL carries nothing a Salesforce tool returned.
    `website` is the record's own website, from a field of the record the run's starter
    trusts (never from free text). `open_browsing` (an assistant setting) lifts
    web_scrape's restriction to that site and to URLs seen in pages, but not the rule
    that no URL carries Salesforce data (tools/web_scrape_policy.py).
    """

    run_id: int | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    run_input: str = ""
    earlier_outputs: tuple[EarlierOutput, ...] = ()
    website: str = ""
    open_browsing: bool = False
    # A tool adds the metered units it spends here (e.g. usage["pitchbook_credits"] += 1);
    # `invoke` copies them onto the ToolResult, even when the tool then fails.
    usage: dict[str, int] = field(default_factory=dict)
    # What the run has spent so far, shared by a turn's calls: a tool with a per-run limit checks it.
    run_usage: RunUsage = field(default_factory=RunUsage)


class ToolError(Exception):
    """A failure the tool wants the model to read as-is (e.g. 'no such company').

    `systemic`: the failure is about the setup (e.g. PitchBook credits exhausted), so whoever
    runs more evaluations should stop until someone fixes it (the pipeline pauses).
    """

    def __init__(self, message: str, *, systemic: bool = False):
        super().__init__(message)
        self.systemic = systemic


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    arguments: type[BaseModel]
    function: Callable[[Any, ToolContext], Any]
    # Offered to the model only when its integration is configured.
    is_available: Callable[[], bool] = lambda: True
    timeout_seconds: float = 60.0
    # Changes data outside Vicbot (e.g. saves a Salesforce record): offered only to
    # assistants that allow writes (Registry.offered).
    writes: bool = False

    def openai_definition(self) -> dict[str, Any]:
        """The strict function tool sent to OpenAI, generated from the pydantic model."""
        generated = openai.pydantic_function_tool(self.arguments, name=self.name)
        return {
            "type": "function",
            "name": self.name,
            "description": self.description,
            "parameters": generated["function"]["parameters"],
            "strict": True,
        }


@dataclass(frozen=True)
class ToolResult:
    ok: bool
    output: str  # what goes back to the model as function_call_output
    error: str = ""
    systemic: bool = False  # see ToolError
    # Metered units the call spent at an outside service, e.g. {"pitchbook_credits": 2}.
    usage: dict[str, int] = field(default_factory=dict)
    # Changes the tool proposes instead of making (see Suggested): plain dicts that the engine
    # stores for an operator's review, e.g. {"object": "Contact", "record_id": None, "fields": {...}}.
    suggestions: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Suggested:
    """A tool's answer together with the changes it proposes rather than makes.

    A write the fund has not approved in advance (an existing record, another company's
    Contact) is not made by the tool: it returns this, the model reads `value`, and each of
    `suggestions` ({"object", "record_id" (None: a new record), "fields", "current", "reason"})
    waits in the console until an operator approves or rejects it.
    """

    value: Any
    suggestions: list[dict[str, Any]]


def error_result(kind: str, message: str, *, max_chars: int, systemic: bool = False) -> ToolResult:
    body = json.dumps({"error": {"type": kind, "message": message}}, ensure_ascii=False)
    return ToolResult(ok=False, output=bound_text(body, max_chars=max_chars), error=f"{kind}: {message}",
                      systemic=systemic)


def invoke(tool: Tool, raw_arguments: str, context: ToolContext, *, max_chars: int) -> ToolResult:
    """Parse the model's arguments, call the tool, and serialise its answer compactly."""
    # A usage dict of this call's own: a turn's calls share one context while they run side by
    # side, and each row must record what its call spent (the run's limits are summed from them).
    context = replace(context, usage={})
    result = _invoke(tool, raw_arguments, context, max_chars=max_chars)
    return replace(result, usage=dict(context.usage)) if context.usage else result


def _invoke(tool: Tool, raw_arguments: str, context: ToolContext, *, max_chars: int) -> ToolResult:
    try:
        arguments = tool.arguments.model_validate_json(raw_arguments or "{}")
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()
        )
        return error_result("invalid_arguments", problems, max_chars=max_chars)
    try:
        value = tool.function(arguments, context)
    except ToolError as exc:
        return error_result("tool_error", str(exc), max_chars=max_chars, systemic=exc.systemic)
    except Exception as exc:  # a tool must never take the run down with it
        if isinstance(exc, IntegrationError):  # an integration's own failure: expected
            kind = "service_error" if exc.permanent else "service_unavailable"
            return error_result(kind, str(exc), max_chars=max_chars, systemic=exc.systemic)
        return error_result("tool_crashed", f"{type(exc).__name__}: {exc}", max_chars=max_chars)
    suggestions = []
    if isinstance(value, Suggested):
        value, suggestions = value.value, list(value.suggestions)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))
    return ToolResult(ok=True, output=bound_text(text, max_chars=max_chars), suggestions=suggestions)
