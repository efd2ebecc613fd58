"""Intake: find new pitch records in Salesforce and let them in, a few at a time.

One pass per pipeline at a time (a lease row in the database survives two beats
overlapping during a deploy). Records are read from a SystemModstamp watermark
with an overlap and deduplicated on (Id, SystemModstamp). A record is
(re-)evaluated only when the fields we send changed, so our own write-backs,
which bump SystemModstamp, are ignored.

A record is written by a stranger, so one record must never stop the pass: text the
database cannot hold is cleaned (with a note on the pitch), and a record that still cannot
be stored is set aside as a `rejected` pitch with the reason; the pass goes on and the
watermark moves past it. Each record is stored in its own transaction (a savepoint inside
an outer one), so one failure rolls back only that record.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

from integrations.errors import IntegrationError
from integrations.salesforce import get_client, soql_literal
from pipelines.models import Deck, Pipeline, Pitch
from pipelines.services.admission import pitches_admit
from pipelines.services.backlog import backlog_cutoff
from integrations.salesforce.files import documents_with_new_versions
from pipelines.services.changes import pitch_record_changed
from pipelines.services.decks import deck_file_types, decks_find
from pipelines.services.decisions import pitch_record_decision
from pipelines.services.configuration import assistant_problem, pipeline_record_configuration_error
from pipelines.services.records import RecordText, fields_to_select, parse_datetime, record_text, text_changed
from pipelines.services.storable import storable_text
from pipelines.services.usage import counting_calls
from pipelines.states import PITCH_STATES, WRITEBACK_STATES
from vicbot.runs import run_cancel

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
SUPERSEDED_BY_REJECTION = "Superseded: the record was edited in Salesforce and intake could not store the edit"


@dataclass
class IntakeSummary:
    seen: int = 0
    new: int = 0
    changed: int = 0
    rejected: int = 0
    started: int = 0
    skipped_busy: bool = False
    error: str = ""

    def __str__(self) -> str:
        if self.skipped_busy:
            return "skipped: another pass was running"
        if self.error:
            return f"failed after {self.seen} records: {self.error}"
        rejected = f", {self.rejected} rejected (could not be stored)" if self.rejected else ""
        return (f"{self.seen} records read, {self.new} new, {self.changed} changed{rejected}, "
                f"{self.started} runs started")


def pitches_pull(*, pipeline_id: int) -> IntakeSummary:
    if not _take_lease(pipeline_id):
        return IntakeSummary(skipped_busy=True)
    try:
        pipeline = Pipeline.objects.get(pk=pipeline_id)
        summary = IntakeSummary()
        if pipeline.enabled and (problem := assistant_problem(pipeline.assistant_name)):
            log.warning("intake %s failed: %s", pipeline.name, problem)
            pipeline_record_configuration_error(pipeline_id=pipeline.pk, message=problem, failed_pass=True)
            summary.error = problem
            return summary
        if pipeline.enabled:
            try:
                _sync_records(pipeline, summary)
            except Exception as exc:
                _record_failed_pass(pipeline, exc)
                if not isinstance(exc, IntegrationError):
                    raise  # a bug of ours: recorded for the operator, and loud in the logs
                summary.error = str(exc)
                return summary
            summary.started = pitches_admit(pipeline_id=pipeline.pk)
        Pipeline.objects.filter(pk=pipeline_id).update(
            last_intake_at=timezone.now(), last_intake_summary=str(summary)[:255],
            last_intake_error="", intake_failures_in_a_row=0,
        )
        log.info("intake %s: %s", pipeline.name, summary)
        return summary
    finally:
        Pipeline.objects.filter(pk=pipeline_id).update(intake_lease_until=None)


def _record_failed_pass(pipeline: Pipeline, exc: Exception) -> None:
    """Where the operator looks: the pipeline's page. The watermark stays where the last good record left it."""
    message = str(exc) if isinstance(exc, IntegrationError) else f"{type(exc).__name__}: {exc}"
    log.warning("intake %s failed: %s", pipeline.name, message)
    Pipeline.objects.filter(pk=pipeline.pk).update(
        last_intake_error=message, last_intake_error_at=timezone.now(),
        intake_failures_in_a_row=F("intake_failures_in_a_row") + 1,
    )


def _take_lease(pipeline_id: int) -> bool:
    now = timezone.now()
    return bool(
        Pipeline.objects.filter(Q(intake_lease_until__isnull=True) | Q(intake_lease_until__lt=now), pk=pipeline_id)
        .update(intake_lease_until=now + LEASE)
    )


def intake_query(pipeline: Pipeline, *, overlap: timedelta) -> str:
    """The pass's SOQL: the pipeline's records from a little before its watermark, oldest first.

    Identifiers were validated as API names (pipeline_validate); the operator's condition
    is SOQL by design and goes in as written — never through format_soql, whose braces
    would turn a `{` in a string literal into a KeyError; only the watermark is formatted.
    """
    soql = f"SELECT {', '.join(fields_to_select(pipeline))} FROM {pipeline.sobject} WHERE ({pipeline.selection})"
    if pipeline.watermark:
        soql += f" AND SystemModstamp >= {soql_literal(pipeline.watermark - overlap)}"
    return soql + " ORDER BY SystemModstamp, Id"


def _sync_records(pipeline: Pipeline, summary: IntakeSummary) -> None:
    client = get_client()
    soql = intake_query(pipeline, overlap=timedelta(seconds=settings.SALESFORCE_WATERMARK_OVERLAP_SECONDS))
    newest = pipeline.watermark
    with counting_calls(pipeline, client):
        for batch in _batches(client.query_iter(soql, page_size=pipeline.batch_size), pipeline.batch_size):
            # The batch's decks in one query pair (Salesforce Files), not a pair per record.
            decks = decks_find(pipeline, client, [record["Id"] for record in batch],
                               backlog=_backlog_ids(batch, backlog_cutoff(pipeline, timezone.now())))
            for record in batch:
                summary.seen += 1
                text = record_text(pipeline, record)
                modstamp = text.system_modstamp
                try:
                    _upsert_pitch(pipeline, record, text, summary, deck=decks.get(record["Id"]))
                except (DatabaseError, ValueError) as exc:  # ValueError: what the driver refuses before sending
                    _reject_record(pipeline, record, text, exc, summary)
                if modstamp and (newest is None or modstamp > newest):
                    newest = modstamp
                    # Saved as we go: a pass that dies half-way resumes near where it stopped.
                    Pipeline.objects.filter(pk=pipeline.pk).update(watermark=newest)
        if deck_file_types(pipeline):
            _sync_new_deck_versions(pipeline, client, summary)


def _backlog_ids(batch: list[dict], cutoff) -> frozenset[str]:
    """The batch's backlog records (pipelines.services.backlog): their decks are read at the backlog's priority."""
    if cutoff is None:
        return frozenset()
    return frozenset(record["Id"] for record in batch
                     if (modstamp := parse_datetime(record.get("SystemModstamp"))) and modstamp < cutoff)


def _sync_new_deck_versions(pipeline: Pipeline, client, summary: IntakeSummary) -> None:
    """A new version of a deck leaves its record untouched (its SystemModstamp stays; assumed from
    Salesforce's documentation, where a file is a record of its own), so the pass above never sees
    it: the versions made since the last look are listed on their own (one ContentVersion query, and
    a link query plus the decks' query pair when there are any), and a pitch whose deck changed is
    evaluated anew, like any edit."""
    overlap = timedelta(seconds=settings.SALESFORCE_WATERMARK_OVERLAP_SECONDS)
    since = Pipeline.objects.values_list("deck_watermark", flat=True).get(pk=pipeline.pk)
    if since is None:  # the first pass read every record's deck: from now on
        Pipeline.objects.filter(pk=pipeline.pk).update(deck_watermark=timezone.now() - overlap)
        return
    linked, newest = documents_with_new_versions(client, since - overlap)
    known = list(pipeline.pitches.filter(salesforce_id__in=list(linked)).values_list("salesforce_id", flat=True))
    decks = decks_find(pipeline, client, known) if known else {}
    for salesforce_id in known:
        deck = decks.get(salesforce_id)
        with transaction.atomic():
            pitch = Pitch.objects.select_for_update().get(pipeline=pipeline, salesforce_id=salesforce_id)
            if pitch.deck_id == (deck.pk if deck else None):
                continue
            if _wants_new_evaluation(pipeline, pitch):
                # The record's text as the pitch holds it: only the deck changed.
                same_text = RecordText(snapshot=pitch.snapshot, name=pitch.name, note=pitch.intake_note,
                                       system_modstamp=pitch.system_modstamp)
                pitch_record_changed(pitch, text=same_text, deck=deck)
                if pitch.status != Pitch.Status.NEW:
                    summary.changed += 1
            else:
                Pitch.objects.filter(pk=pitch.pk).update(deck=deck)
    if newest is not None and newest > since:
        Pipeline.objects.filter(pk=pipeline.pk).update(deck_watermark=newest)


def _batches(records, size: int):
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _upsert_pitch(pipeline: Pipeline, record: dict, text: RecordText, summary: IntakeSummary, *,
                  deck: Deck | None = None) -> None:
    salesforce_id = record["Id"]
    deck_id = deck.pk if deck else None
    with transaction.atomic():
        pitch, created = Pitch.objects.select_for_update().get_or_create(
            pipeline=pipeline, salesforce_id=salesforce_id,
            defaults={**text.pitch_fields(), "deck": deck},
        )
        # The partners' decision: recorded on its own, never an edit of what the model reads.
        pitch_record_decision(pitch, pipeline, text.decision, text.system_modstamp)
        if created:
            summary.new += 1
            return
        if pitch.system_modstamp == text.system_modstamp and pitch.deck_id == deck_id:
            return  # seen already (the overlap re-reads a few records every pass)
        # Only a change to what the model reads (the fields, or the deck's version) earns a new
        # evaluation; our own write-back changes other fields and is ignored here.
        if (text_changed(pitch.snapshot, text) or pitch.deck_id != deck_id) and _wants_new_evaluation(pipeline, pitch):
            pitch_record_changed(pitch, text=text, deck=deck)
            if pitch.status != Pitch.Status.NEW:
                summary.changed += 1
            return
        Pitch.objects.filter(pk=pitch.pk).update(system_modstamp=text.system_modstamp, deck=deck)


def _reject_record(pipeline: Pipeline, record: dict, text: RecordText, exc: Exception,
                   summary: IntakeSummary) -> None:
    """Set the record aside as a rejected pitch with the reason, never admitted; an edit in
    Salesforce brings it back (record_changed). A new record keeps only its id and name; a known
    one keeps the text it had, and a run in flight for that text is cancelled."""
    reason, _ = storable_text(f"Intake could not store this record: {type(exc).__name__}: {exc}"[:2000])
    # The log gets the first line only: the database's detail lines quote the row, i.e. pitch text.
    log.warning("intake %s: record %s rejected: %s", pipeline.name, record.get("Id"), reason.splitlines()[0])
    summary.rejected += 1
    try:
        with transaction.atomic():
            pitch, _ = Pitch.objects.select_for_update().get_or_create(
                pipeline=pipeline, salesforce_id=record["Id"], defaults={"name": text.name})
            if pitch.status == Pitch.Status.REJECTED and pitch.system_modstamp == text.system_modstamp:
                return  # the overlap re-read it: already set aside for this version
            PITCH_STATES.apply(pitch.pk, "reject", error=reason, system_modstamp=text.system_modstamp,
                               next_attempt_at=None)
            # The earlier text's answer or run no longer stands for the record.
            WRITEBACK_STATES.apply(pitch.pk, "supersede", writeback_error=SUPERSEDED_BY_REJECTION)
            if pitch.status == Pitch.Status.EVALUATING and pitch.latest_run_id:
                run_cancel(run_id=pitch.latest_run_id, code="superseded",
                           reason="The record was edited in Salesforce and intake could not store the edit")
    except (DatabaseError, ValueError):
        # Not even the rejection could be stored: said loudly; the pass still goes on.
        log.exception("intake %s: record %s could not be stored nor set aside", pipeline.name, record.get("Id"))


def _wants_new_evaluation(pipeline: Pipeline, pitch: Pitch) -> bool:
    if pitch.status in (Pitch.Status.DELETED, Pitch.Status.SKIPPED):
        return False  # a skipped pitch waits for an operator's "Evaluate again", whatever its author edits
    return pitch.status != Pitch.Status.WRITTEN_BACK or pipeline.reevaluate_written
