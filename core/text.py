"""Text bounds: one way to cut a long text, saying how much was cut (a tool's output for the model,
a record's field in a prompt, an answer written back into a field with a length limit)."""

from __future__ import annotations

TRUNCATION_MARKER = "…[truncated by Vicbot: {omitted} more characters]"


def bound_text(text: str, *, max_chars: int) -> str:
    """Cut `text` to at most `max_chars` characters, saying how much was cut."""
    if len(text) <= max_chars:
        return text
    marker = TRUNCATION_MARKER.format(omitted=len(text) - max_chars)
    keep = max(max_chars - len(marker), 0)
    return text[:keep] + TRUNCATION_MARKER.format(omitted=len(text) - keep)
