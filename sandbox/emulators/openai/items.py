"""Reading Responses API input and output items.

``input`` is either a string or a list of items: messages (``{"role", "content"}``
with string or part-list content), ``function_call`` items echoed back,
``function_call_output`` items, and others we only need to count.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

Item = Mapping[str, Any]


def input_items(request_input: Any) -> list[Item]:
    """``input`` as a list of items (a bare string is one user message)."""
    if request_input is None:
        return []
    if isinstance(request_input, str):
        return [{"type": "message", "role": "user", "content": request_input}]
    return [item for item in request_input if isinstance(item, Mapping)]


def item_type(item: Item) -> str:
    # Easy-input messages may omit "type"; the API treats them as messages.
    return str(item.get("type") or ("message" if "role" in item else ""))


def parts_text(content: Any) -> str:
    """Text of a message ``content`` or a function output (string or list of parts)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    texts = []
    for part in content:
        if isinstance(part, Mapping):
            texts.append(str(part.get("text") or part.get("refusal") or ""))
        elif isinstance(part, str):
            texts.append(part)
    return "\n".join(text for text in texts if text)


def item_text(item: Item) -> str:
    """Everything in an item the model would read, as plain text (for token counts)."""
    kind = item_type(item)
    if kind == "message":
        return parts_text(item.get("content"))
    if kind == "function_call_output":
        return parts_text(item.get("output"))
    if kind == "function_call":
        return f"{item.get('name', '')}{item.get('arguments', '')}"
    if kind == "reasoning":
        return ""
    return json.dumps(item, sort_keys=True)


def items_text(items: Iterable[Item]) -> str:
    return "\n".join(text for text in (item_text(item) for item in items) if text)


def message_text(items: Iterable[Item]) -> str:
    """Only the conversational text (messages), where names, URLs and emails live."""
    return "\n".join(parts_text(item.get("content")) for item in items if item_type(item) == "message")


def function_calls(items: Iterable[Item]) -> list[Item]:
    return [item for item in items if item_type(item) == "function_call"]


def function_outputs(items: Iterable[Item]) -> list[Item]:
    return [item for item in items if item_type(item) == "function_call_output"]
