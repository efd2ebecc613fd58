"""Datasets: past pitches frozen with what their recorded run sent and every tool call's answer.

Freezing copies plain data (input, metadata, tool calls, answer, the partners' decision, the pitch's
date) into DatasetItems, then marks the dataset frozen: from then on the models refuse any save,
update or delete of it or its items. Export and import are JSONL, one item a line, in the run export's
shape (vicbot.services.export: run_id, assistant, model, input, metadata, turns of tool calls, answer…)
plus `pitch` and `decision`; an import creates a frozen dataset.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from evaluations.models import Dataset, DatasetItem
from pipelines.models import Outcome, Pipeline, Pitch
from vicbot.models import Run, RunStatus, ToolCall

EXPORT_FORMAT = "vicbot.dataset_item.v1"


class InvalidDataset(ValueError):
    """A freeze or an import that cannot make a dataset, and why (nothing is kept)."""


@dataclass(frozen=True)
class FreezeFilters:
    pipeline: str
    since: datetime | None = None  # pitches that arrived (created_at) on or after
    until: datetime | None = None  # ...and before
    decided_only: bool = False  # only pitches the partners decided (advance or pass)
    assistant_version: int | None = None  # the run chosen: latest succeeded of this version (default any)

    def as_json(self) -> dict:
        return {"pipeline": self.pipeline, "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None, "decided_only": self.decided_only,
                "assistant_version": self.assistant_version}


def chosen_run(pitch: Pitch, *, assistant_version: int | None = None) -> Run | None:
    """The recorded run a pitch is frozen from: its latest succeeded run (of that version, if given)."""
    runs = pitch.runs.filter(status=RunStatus.SUCCEEDED)
    if assistant_version is not None:
        runs = runs.filter(assistant__version=assistant_version)
    return runs.select_related("assistant").order_by("-finished_at", "-pk").first()


def recorded_calls(run: Run) -> list[dict]:
    return [{"turn": turn, "call_id": call_id, "name": name, "arguments": arguments, "output": output,
             "status": status}
            for turn, call_id, name, arguments, output, status in ToolCall.objects.filter(run=run)
            .order_by("turn", "id").values_list("turn", "call_id", "name", "arguments", "output", "status")]


def dataset_freeze(*, name: str, filters: FreezeFilters, created_by: str = "", description: str = "") -> Dataset:
    """Freeze the pipeline's pitches that match into a new dataset. Pitches with no succeeded run (of the
    version asked) are left out; none left at all is an error."""
    try:
        pipeline = Pipeline.objects.get(name=filters.pipeline)
    except Pipeline.DoesNotExist:
        raise InvalidDataset(f"No pipeline is named {filters.pipeline!r}") from None
    if Dataset.objects.filter(name=name).exists():
        raise InvalidDataset(f"A dataset is already named {name!r}")
    pitches = pipeline.pitches.order_by("created_at", "pk")
    if filters.since:
        pitches = pitches.filter(created_at__gte=filters.since)
    if filters.until:
        pitches = pitches.filter(created_at__lt=filters.until)
    if filters.decided_only:
        pitches = pitches.filter(Q(decision_outcome=Outcome.ADVANCE) | Q(decision_outcome=Outcome.PASS))
    items = []
    for pitch in pitches.iterator(chunk_size=200):
        run = chosen_run(pitch, assistant_version=filters.assistant_version)
        if run is None:
            continue
        items.append(DatasetItem(
            position=len(items) + 1, pitch=pitch, salesforce_id=pitch.salesforce_id, name=pitch.name,
            pitch_date=pitch.created_at, source_run=run, source_assistant=str(run.assistant),
            input=run.input, input_items=run.input_items, metadata=run.metadata, tool_calls=recorded_calls(run), answer=run.output_json,
            decision=pitch.decision_outcome or Outcome.UNDECIDED, decision_value=pitch.decision_value,
            decided_at=pitch.decided_at))
    if not items:
        raise InvalidDataset("No pitch matches with a succeeded run to freeze")
    return _create_frozen(name=name, items=items, source=Dataset.Source.FREEZE, pipeline=pipeline,
                          filters=filters.as_json(), created_by=created_by, description=description)


@transaction.atomic
def _create_frozen(*, name: str, items: list[DatasetItem], **fields) -> Dataset:
    dataset = Dataset.objects.create(name=name, **fields)
    for item in items:
        item.dataset = dataset
    DatasetItem.objects.bulk_create(items, batch_size=200)
    # The one move to frozen (a queryset update: the model's save refuses frozen rows, not this).
    Dataset.objects.filter(pk=dataset.pk, frozen=False).update(frozen=True, frozen_at=timezone.now(),
                                                                item_count=len(items))
    dataset.refresh_from_db()
    return dataset


def item_export_record(item: DatasetItem) -> dict:
    """The run export's fields for the item's recorded run, plus the pitch and the partners' decision."""
    name, _, version = item.source_assistant.partition(" v")
    turns: dict[int, list[dict]] = {}
    for call in item.tool_calls:
        turns.setdefault(int(call.get("turn") or 0), []).append({
            "call_id": call.get("call_id", ""), "name": call["name"], "arguments": _arguments(call.get("arguments")),
            # As the model sent them, byte for byte: a replay matches arguments exactly first.
            "arguments_text": call.get("arguments", ""),
            "output": call.get("output", ""), "status": call.get("status", "succeeded")})
    return {
        "format": EXPORT_FORMAT,
        "run_id": item.source_run_id,
        "assistant": {"name": name, "version": int(version) if version.isdigit() else None},
        "outcome": RunStatus.SUCCEEDED.value,
        "input": item.input,
        "input_items": item.input_items,
        "metadata": item.metadata,
        "turns": [{"turn": number, "tool_calls": calls} for number, calls in sorted(turns.items())],
        "answer": item.answer,
        "pitch": {"salesforce_id": item.salesforce_id, "name": item.name,
                  "date": item.pitch_date.isoformat() if item.pitch_date else None},
        "decision": {"outcome": item.decision, "value": item.decision_value,
                     "decided_at": item.decided_at.isoformat() if item.decided_at else None},
    }


def _arguments(text):
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return text


def dataset_export_lines(dataset: Dataset) -> Iterator[str]:
    for item in dataset.items.order_by("position").iterator(chunk_size=200):
        yield json.dumps(item_export_record(item), ensure_ascii=False, default=str) + "\n"


def dataset_import(*, name: str, lines: Iterable[str], created_by: str = "", description: str = "") -> Dataset:
    """A frozen dataset from exported JSONL (or run export lines with a `decision`). A bad line is an
    error naming its number, and nothing is created."""
    if Dataset.objects.filter(name=name).exists():
        raise InvalidDataset(f"A dataset is already named {name!r}")
    items = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            items.append(_item_from_record(json.loads(line), position=len(items) + 1))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InvalidDataset(f"Line {number}: {type(exc).__name__}: {exc}") from None
    if not items:
        raise InvalidDataset("The file holds no items")
    return _create_frozen(name=name, items=items, source=Dataset.Source.IMPORT, filters={"imported": True},
                          created_by=created_by, description=description)


def _item_from_record(record: dict, *, position: int) -> DatasetItem:
    if not isinstance(record.get("input"), str) or not record["input"].strip():
        raise ValueError("an item needs its input text")
    decision = record.get("decision") or {}
    if isinstance(decision, str):
        decision = {"outcome": decision}
    outcome = decision.get("outcome") or Outcome.UNDECIDED
    if outcome not in (Outcome.ADVANCE, Outcome.PASS, Outcome.UNDECIDED):
        raise ValueError(f"decision {outcome!r} is not advance, pass or undecided")
    calls = []
    for turn in record.get("turns") or []:
        for call in turn["tool_calls"]:
            arguments = call["arguments_text"] if "arguments_text" in call else call.get("arguments", "")
            calls.append({"turn": int(turn.get("turn") or 0), "call_id": str(call.get("call_id", "")),
                          "name": str(call["name"]),
                          "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
                          "output": str(call.get("output") or ""), "status": str(call.get("status", "succeeded"))})
    pitch = record.get("pitch") or {}
    assistant = record.get("assistant") or {}
    return DatasetItem(
        position=position, salesforce_id=str(pitch.get("salesforce_id") or "")[:18],
        name=str(pitch.get("name") or "")[:255], pitch_date=_datetime(pitch.get("date")),
        source_assistant=f"{assistant.get('name', '')} v{assistant.get('version', '')}".strip()[:80],
        input=record["input"], input_items=list(record.get("input_items") or []), metadata={str(k): str(v) for k, v in (record.get("metadata") or {}).items()},
        tool_calls=calls, answer=record.get("answer"), decision=outcome,
        decision_value=str(decision.get("value") or "")[:255], decided_at=_datetime(decision.get("decided_at")))


def _datetime(value) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    if timezone.is_naive(parsed):
        raise ValueError(f"{value!r} has no time zone")
    return parsed
