"""How a created response ends: the scripted model's reply, bent by any in-band fault.

Kept apart from the HTTP layer so the rules (truncation at ``max_output_tokens``,
failed responses carrying no output or usage, …) sit in one readable place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from . import model, usage
from .faults import Fault
from .model import ModelReply, Turn
from .store import Outcome
from .usage import Prompt

_FAILURE_MESSAGES = {
    "server_error": "The server had an error while processing your request. Sorry about that!",
    "rate_limit_exceeded": "Rate limit reached while processing this response. Please try again later.",
}


def model_reply(
    request: Mapping[str, Any], chain: Sequence[Turn], *, seed: str, fault: Fault | None, loop: bool
) -> ModelReply:
    if fault is None or fault.outcome not in ("refusal", "invalid_json", "call_tool", "call_tools"):
        follow = fault is not None and fault.outcome == "follow_injections"
        return model.respond(request, chain, seed=seed, loop=loop, follow_injections=follow)
    if fault.outcome == "refusal":
        return model.refuse(request, chain)
    if fault.outcome == "invalid_json":
        return model.answer_with_broken_json(request, chain)
    options = fault.options
    if fault.outcome == "call_tools":
        return model.call_tools(request, chain, seed=seed, calls=options["calls"])
    return model.call_tool(request, chain, seed=seed, name=options["name"], arguments=options["arguments"])


def decide(
    request: Mapping[str, Any],
    reply: ModelReply,
    prompt: Prompt,
    cache: tuple[int, int],
    fault: Fault | None,
) -> Outcome:
    if fault is not None and fault.outcome == "failed":
        code = fault.options.get("error_code", "server_error")
        message = fault.options.get("message") or _FAILURE_MESSAGES.get(
            code, f"The response failed with error code '{code}'."
        )
        return Outcome("failed", output=[], usage=None, error={"code": code, "message": message})

    cached, written = cache
    full = usage.usage(prompt, cached, written, reply.output, reply.reasoning_tokens)
    if fault is not None and fault.outcome == "incomplete":
        # Cut half-way through the visible text, so there is a partial message to see.
        visible = full["output_tokens"] - reply.reasoning_tokens
        budget = reply.reasoning_tokens + max(visible // 2, 1)
        return _truncated(reply, prompt, cache, budget, fault.options.get("reason", "max_output_tokens"))
    limit = request.get("max_output_tokens")
    if limit is not None and full["output_tokens"] > limit:
        return _truncated(reply, prompt, cache, limit, "max_output_tokens")
    return Outcome("completed", output=reply.output, usage=full)


def _truncated(
    reply: ModelReply, prompt: Prompt, cache: tuple[int, int], budget: int, reason: str
) -> Outcome:
    """What the model had produced when it was stopped after ``budget`` output tokens.

    Reasoning is spent first; whatever is left goes into a partial message. Tool
    calls are never returned half-written.
    """
    reasoning_tokens = min(reply.reasoning_tokens, budget)
    chars_left = (budget - reasoning_tokens) * 4
    output: list[dict[str, Any]] = []
    for item in reply.output:
        if item["type"] == "reasoning":
            output.append(item)
        elif item["type"] == "message" and chars_left > 0:
            content = [
                {**part, "text": part["text"][:chars_left]} if part["type"] == "output_text" else part
                for part in item["content"]
            ]
            output.append({**item, "status": "incomplete", "content": content})
    cached, written = cache
    return Outcome(
        "incomplete",
        output=output,
        usage=usage.usage(prompt, cached, written, output, reasoning_tokens),
        incomplete_details={"reason": reason},
    )
