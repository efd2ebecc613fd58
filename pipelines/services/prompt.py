"""The model's view of a pitch: the record's fields, each bounded in size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.text import bound_text
from pipelines.models import Pipeline
from pipelines.services.outcomes import CONTEXT_TOO_LONG
from pipelines.services.storable import storable_text


@dataclass(frozen=True)
class RecordText:
    """What a pitch stores of its record: the fields sent to the model, its name, and a note of
    what had to be cleaned for the database to hold them ("" when nothing)."""

    snapshot: dict[str, str]
    name: str
    note: str


def record_text(pipeline: Pipeline, record: dict[str, Any]) -> RecordText:
    notes = []
    snapshot = {}
    for field in pipeline.record_fields:
        value = _lookup(record, field)
        if value is None or value == "":
            continue
        text, note = storable_text(str(value))
        if note:
            notes.append(f"{field}: {note}")
        snapshot[field] = bound_text(text, max_chars=pipeline.field_max_chars)
    name, note = storable_text(str(record.get("Name") or ""))
    if note and "name" not in {field.lower() for field in snapshot}:  # else already said for the field
        notes.append(f"Name: {note}")
    return RecordText(snapshot=snapshot, name=name[:255], note="; ".join(notes))


def record_snapshot(pipeline: Pipeline, record: dict[str, Any]) -> dict[str, str]:
    """The pipeline's fields of `record` (its website field too) as text, each cut to field_max_chars
    with a marker.

    A 200,000-character description is cut here, before it is stored or sent. Characters the
    database cannot hold (NUL, lone surrogates) are replaced (pipelines.services.storable).
    """
    return record_text(pipeline, record).snapshot


def record_website(pipeline: Pipeline, snapshot: dict[str, str]) -> str:
    """The record's own website, from the pipeline's website field (never from the pitch's text)."""
    wanted = pipeline.website_field.lower()
    return next((value for field, value in snapshot.items() if wanted and field.lower() == wanted), "")


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


def _lookup(record: dict[str, Any], dotted: str) -> Any:
    """`Owner.Name` style relationship fields come back as nested objects."""
    value: Any = record
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = next((v for k, v in value.items() if k.lower() == part.lower()), None)
    return value
