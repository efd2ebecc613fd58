"""The one reading of a Salesforce record as a pitch: which fields to select, what the pitch stores
of it (the snapshot sent to the model, its name, its SystemModstamp, a note of what had to be
cleaned) and whether a record differs from what a pitch holds.

Intake, a manual evaluation and the write-back's last look all read records through here, so the
three can no longer drift apart (intake once selected no `Name` while the other two did).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.text import bound_text
from pipelines.models import Pipeline
from pipelines.services.storable import storable_text

# Always selected: the record's identity, its version, and the name a pitch is listed under.
ALWAYS_SELECTED = ("Id", "SystemModstamp", "Name")
NAME_MAX_CHARS = 255  # Pitch.name


def mapped_fields(pipeline: Pipeline) -> list[str]:
    """The fields a pitch keeps of its record: those sent to the model, then the website field if
    not among them (the one site web_scrape may read unseen comes from the record, never the text).
    Never the decision field: the partners' decision is the answer key, not input to the model."""
    decision = pipeline.decision_field.lower()
    fields = [str(field) for field in pipeline.fields if not decision or str(field).lower() != decision]
    if pipeline.website_field and pipeline.website_field.lower() not in {f.lower() for f in fields}:
        fields.append(pipeline.website_field)
    return fields


def fields_to_select(pipeline: Pipeline, *, also: Iterable[str] = ()) -> list[str]:
    """The SOQL field list for the pipeline's records, each once whatever its case (Salesforce refuses a
    field selected twice), in a stable order. `also`: more fields the caller reads (the write-back's)."""
    chosen: dict[str, str] = {}
    decision = [pipeline.decision_field] if pipeline.decision_field else []
    for field in (*ALWAYS_SELECTED, *mapped_fields(pipeline), *decision, *also):
        chosen.setdefault(field.lower(), field)
    return sorted(chosen.values(), key=str.lower)


@dataclass(frozen=True)
class RecordText:
    """What a pitch stores of its record: the fields sent to the model, its name, its version, and a
    note of what had to be cleaned for the database to hold them ("" when nothing)."""

    snapshot: dict[str, str]
    name: str
    note: str
    system_modstamp: datetime | None = None
    # The partners' decision field's value ("" when empty); None when the pipeline reads no decisions.
    # Kept apart from the snapshot: a change of it is a decision, never an edit of the pitch.
    decision: str | None = None

    def pitch_fields(self) -> dict[str, Any]:
        """The Pitch columns this reading sets."""
        return {"snapshot": self.snapshot, "name": self.name, "intake_note": self.note,
                "system_modstamp": self.system_modstamp}


def record_text(pipeline: Pipeline, record: dict[str, Any]) -> RecordText:
    """Read `record` as the pipeline maps it. Empty fields are left out; each field is cut to
    field_max_chars with a marker (a 200,000-character description is cut here, before it is stored
    or sent); characters the database cannot hold (NUL, lone surrogates) are replaced, and said in
    the note (pipelines.services.storable)."""
    notes = []
    snapshot = {}
    for field in mapped_fields(pipeline):
        value = _lookup(record, field)
        if value is None or value == "":
            continue
        text, note = storable_text(str(value))
        if note:
            notes.append(f"{field}: {note}")
        snapshot[field] = bound_text(text, max_chars=pipeline.field_max_chars)
    name, note = storable_text(str(_lookup(record, "Name") or ""))
    if note and "name" not in {field.lower() for field in snapshot}:  # else already said for the field
        notes.append(f"Name: {note}")
    decision = None
    if pipeline.decision_field:
        value = _lookup(record, pipeline.decision_field)
        decision = storable_text(str(value))[0][:255] if value not in (None, "") else ""
    return RecordText(snapshot=snapshot, name=name[:NAME_MAX_CHARS], note="; ".join(notes),
                      system_modstamp=parse_datetime(record.get("SystemModstamp")), decision=decision)


def record_snapshot(pipeline: Pipeline, record: dict[str, Any]) -> dict[str, str]:
    """Only the snapshot of record_text: the fields as sent to the model."""
    return record_text(pipeline, record).snapshot


def text_changed(stored_snapshot: dict, text: RecordText) -> bool:
    """Whether the record now reads differently from what the pitch was evaluated on. Only the fields
    sent to the model count: our own write-back changes other fields and the SystemModstamp."""
    return stored_snapshot != text.snapshot


def record_website(pipeline: Pipeline, snapshot: dict[str, str]) -> str:
    """The record's own website, from the pipeline's website field (never from the pitch's text)."""
    wanted = pipeline.website_field.lower()
    return next((value for field, value in snapshot.items() if wanted and field.lower() == wanted), "")


def parse_datetime(value) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):  # a record already decoded (the emulator's own rows, in tests)
        return value
    # Salesforce sends "2021-07-21T04:13:15.000+0000", which fromisoformat reads on 3.11+.
    return datetime.fromisoformat(value)


def _lookup(record: dict[str, Any], dotted: str) -> Any:
    """`Owner.Name` style relationship fields come back as nested objects (None when unset); API
    names are case-insensitive."""
    value: Any = record
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = next((v for k, v in value.items() if k.lower() == part.lower()), None)
    return value
