"""Refusals OpenAI makes because of what a request carries, not how it is set up.

A real request is refused with a 400 when its prompt is flagged by OpenAI's usage-policy
screen (``invalid_prompt``) or when it does not fit the model's context window
(``context_length_exceeded``). Both depend only on the text sent, so the emulator decides
them from the text: a planted marker stands for "text OpenAI flags", and an optional
context window (``OpenAIEmulator.context_window_tokens``) is checked against the prompt's
tokens, history included, as counted for usage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from . import items
from .errors import ApiError, bad_request
from .model import Turn

FLAGGED_MARKER = "VICBOT-TEST-FLAGGED"


def invalid_prompt() -> ApiError:
    return bad_request(
        "Invalid prompt: your prompt was flagged as potentially violating our usage policy. Please try again "
        "with a different prompt: https://platform.openai.com/docs/guides/reasoning#advice-on-prompting",
        code="invalid_prompt",
    )


def context_length_exceeded() -> ApiError:
    return bad_request(
        "Your input exceeds the context window of this model. Please adjust your input and try again.",
        param="input", code="context_length_exceeded",
    )


def refuse_for_content(
    request: Mapping[str, Any], chain: Sequence[Turn], *, prompt_tokens: int, context_window: int | None
) -> None:
    """Raise the 400 OpenAI would answer for this request's content, if any."""
    sent = items.items_text(items.input_items(request.get("input")))
    earlier = "".join(items.items_text(items.input_items(turn.request.get("input"))) for turn in chain)
    if FLAGGED_MARKER in sent or FLAGGED_MARKER in earlier:
        raise invalid_prompt()
    if context_window is not None and prompt_tokens > context_window:
        raise context_length_exceeded()


def input_text(body: Any) -> str:
    """The text of a create request's input, however malformed the request (then: '')."""
    try:
        return items.items_text(items.input_items(body.get("input"))) if isinstance(body, dict) else ""
    except Exception:
        return ""  # validation answers a malformed input with its own 400
