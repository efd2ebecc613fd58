"""The model's view of a pitch: the record's fields, each bounded in size."""

from __future__ import annotations

from typing import Any

from tools.base import bound_text
from pipelines.models import Pipeline


def record_snapshot(pipeline: Pipeline, record: dict[str, Any]) -> dict[str, str]:
    """The pipeline's fields of `record` (its website field too) as text, each cut to
    field_max_chars with a marker.

    A 200,000-character description is cut here, before it is stored or sent.
    """
    snapshot = {}
    for field in pipeline.record_fields:
        value = _lookup(record, field)
        if value is None or value == "":
            continue
        snapshot[field] = bound_text(str(value), max_chars=pipeline.field_max_chars)
    return snapshot


def record_website(pipeline: Pipeline, snapshot: dict[str, str]) -> str:
    """The record's own website, from the pipeline's website field (never from the pitch's text)."""
    wanted = pipeline.website_field.lower()
    return next((value for field, value in snapshot.items() if wanted and field.lower() == wanted), "")


def pitch_prompt(pipeline: Pipeline, *, record_id: str, snapshot: dict[str, str]) -> str:
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
