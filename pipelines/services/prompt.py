"""The model's view of a pitch: its snapshot's fields (pipelines.services.records), cut harder after a
context overflow, in the pipeline's prompt template."""

from __future__ import annotations

from core.text import bound_text
from pipelines.models import Pipeline
from pipelines.services.outcomes import CONTEXT_TOO_LONG


# After OpenAI said the input is longer than the model's context window, each field is cut to a
# quarter of what the previous attempt sent, but never below this.
SHORTEN_FACTOR = 4
SHORTEST_FIELD_CHARS = 200


def shortened_field_chars(pipeline: Pipeline, *, times_too_long: int) -> int | None:
    """How long each field may be after `times_too_long` attempts overflowed the context (None: as stored)."""
    if times_too_long <= 0:
        return None
    return max(pipeline.field_max_chars // SHORTEN_FACTOR ** times_too_long, SHORTEST_FIELD_CHARS)


def times_too_long(attempt_log: list[dict]) -> int:
    """Attempts of the pitch's current text that overflowed the model's context."""
    return sum(1 for entry in attempt_log if isinstance(entry, dict) and entry.get("code") == CONTEXT_TOO_LONG)


def pitch_prompt(pipeline: Pipeline, *, record_id: str, snapshot: dict[str, str], times_too_long: int = 0) -> str:
    """`times_too_long`: earlier attempts for this text that OpenAI refused as longer than the
    model's context: this one sends each field cut harder, so a retry is not the same failure again."""
    if limit := shortened_field_chars(pipeline, times_too_long=times_too_long):
        snapshot = {field: bound_text(value, max_chars=limit) for field, value in snapshot.items()}
    lines = "\n".join(f"{field}: {value}" for field, value in snapshot.items()) or "(no fields were filled in)"
    # str.replace, not str.format: pitch text is full of braces we must not interpret,
    # and the record goes in last so placeholders written in the pitch stay as written.
    return (
        pipeline.prompt_template.replace("{sobject}", pipeline.sobject)
        .replace("{record_id}", record_id)
        .replace("{record}", lines)
    )
