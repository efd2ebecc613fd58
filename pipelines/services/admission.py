"""Admission: starting runs for waiting pitches, up to each pipeline's in-flight limit.

A pitch waits as `new` or, after an attempt worth repeating, as `retry_waiting` until its
next attempt is due. A paused pipeline starts nothing but its probe (pipelines.services.pause).

The limit is the room the assistant's model has under OpenAI's rate limits (the engine's
in-flight allowance less the runs of that model already active, whoever started them), and,
when the pipeline sets `max_in_flight`, that cap on its own evaluating pitches too.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.enqueue import enqueue_pitches_admit, queued_messages
from pipelines.models import Pipeline, Pitch
from pipelines.selectors import pipeline_spend, pitches_waiting
from pipelines.services.backlog import backlog_cutoff, backlog_room, backlog_service_tier, split_backlog
from pipelines.services.decks import deck_run_input, decks_held, decks_nudge
from pipelines.services.configuration import assistant_problem, pipeline_record_configuration_error
from pipelines.services.handler_keys import PITCH_EVALUATED
from pipelines.services.pause import pipeline_pause_for_spend, pipeline_probe_started, pipeline_resume
from pipelines.services.prompt import pitch_prompt, times_too_long
from pipelines.services.run_listeners import notify_run_started
from pipelines.services.records import record_website
from pipelines.states import PITCH_STATES, WRITEBACK_STATES
from tools.base import WEBSITE_METADATA_KEY
from vicbot.runs import (
    Assistant,
    Run,
    assistant_run_cost_estimate,
    in_flight_allowance,
    in_flight_room,
    start_run,
)


ADMIT_AGAIN_SECONDS = 1.0
# How long a slot freed may count on an admission message already queued before sending its own (a lost
# message costs at most this, or the tick's next admission, whichever comes first).
ADMIT_PENDING_SECONDS = 10.0


@transaction.atomic
def pitch_evaluate(*, pitch: Pitch, operation: str = "admit", trigger: Run.Trigger = Run.Trigger.SCHEDULE,
                   new_round: bool = False, backlog: bool = False) -> Run | None:
    """Start a run for `pitch` and make it the pitch's current one (None if the pitch moved meanwhile).

    `new_round` (an operator's evaluate again or re-run): the attempt count and log start afresh, and
    an operator's skip or fail is lifted.
    `backlog` (pipelines.services.backlog): the run is background work, at the pipeline's backlog tier.
    A write-back still waiting to go out is superseded: only the newer answer will be written.
    """
    counting = ({"attempts": 1, "attempt_log": [], "operator": "", "operator_reason": "", "operator_at": None}
                if new_round else {"attempts": F("attempts") + 1})
    # Admission names the state it read the pitch in: the transition's from-state without a read. A
    # pitch that moved since is left to the next admission (an operator's request always moves).
    where = {"status": pitch.status} if operation == "admit" else None
    if not PITCH_STATES.apply(pitch.pk, operation, where=where, error="", next_attempt_at=None, **counting):
        return None
    pipeline = pitch.pipeline
    deck_items, deck_metadata = deck_run_input(pitch)
    run = start_run(
        assistant=pipeline.assistant_name,
        input=pitch_prompt(pipeline, record_id=pitch.salesforce_id, snapshot=pitch.snapshot,
                           times_too_long=0 if new_round else times_too_long(pitch.attempt_log)),
        input_items=deck_items,
        # Trusted context for the tools (never the model's to set): the record's website, from its
        # mapped field (the one site web_scrape may read unseen), and its sObject (salesforce_person_save
        # creates a Contact directly only on the record's own Account).
        metadata={"pitch": str(pitch.pk), "pipeline": pipeline.name, "salesforce_id": pitch.salesforce_id,
                  "sobject": pipeline.sobject, WEBSITE_METADATA_KEY: record_website(pipeline, pitch.snapshot),
                  **deck_metadata},
        on_complete=PITCH_EVALUATED,
        trigger=trigger,
        background=backlog,
        service_tier=backlog_service_tier(pipeline) if backlog else "",
    )
    Pitch.objects.filter(pk=pitch.pk).update(latest_run=run)
    WRITEBACK_STATES.apply(pitch.pk, "supersede", writeback_error=f"Superseded by run {run.pk} (a newer evaluation)")
    pitch.runs.add(run)
    notify_run_started(pitch=pitch, run=run)
    return run


def pitches_admit_soon(pipeline_id: int) -> None:
    """A slot freed: admit the waiting pitches, by one admission message per pipeline however many slots
    free while it waits in the queue (it starts after them, so it sees every one). One per answer was
    0.9 tasks and ~15 statements per pitch at 1,000, most of them admitting nothing or one run.

    Decided after the caller commits: an answer still uncommitted when the queued admission ran would
    have counted on it and not been seen."""
    def send() -> None:
        if cache.add(admit_pending_key(pipeline_id), 1, timeout=ADMIT_PENDING_SECONDS):
            enqueue_pitches_admit(pipeline_id, after_commit=False)

    transaction.on_commit(send)


def admit_pending_key(pipeline_id: int) -> str:
    """The cache key that says an admission message of the pipeline is queued and not yet started."""
    return f"pipelines:admit-pending:{pipeline_id}"


@transaction.atomic
def pitches_admit(*, pipeline_id: int) -> int:
    """Start runs for waiting pitches, oldest first, up to the pipeline's in-flight limit."""
    # The pipeline row lock makes admissions take turns (a pass and a finished run's
    # admit may overlap), so two of them never both fill the same free slot.
    pipeline = Pipeline.objects.select_for_update().get(pk=pipeline_id)
    cache.delete(admit_pending_key(pipeline_id))  # from here on, a slot that frees needs an admission of its own
    if not pipeline.enabled:
        return 0
    if problem := assistant_problem(pipeline.assistant_name):
        pipeline_record_configuration_error(pipeline_id=pipeline.pk, message=problem, failed_pass=False)
        return 0
    now = timezone.now()
    probing = False
    if pipeline.paused_at:
        if now < pipeline.probe_at:
            return 0
        if pipeline.state == Pipeline.State.PAUSED_FOR_SPEND:
            pipeline_resume(pipeline_id=pipeline.pk)  # a new day
        elif pipeline.probe_run_id:
            return 0  # the probe is still out (its pitch's handler clears it)
        else:
            probing = True
    # The spend cap holds for retries and probes too: every run starts here or through
    # pipelines.services.manual, which checks it the same way.
    affordable = None
    if pipeline.daily_spend_cap_usd is not None:
        spend = pipeline_spend(pipeline, now=now)
        if spend.reached:
            pipeline_pause_for_spend(pipeline_id=pipeline.pk, spend=spend)
            return 0
        # Each run reserves its expected cost as it starts: no more start than the cap leaves room for.
        affordable = spend.runs_allowed(assistant_run_cost_estimate(pipeline.assistant_name))
    slots = 1 if probing else pipeline_room(pipeline)
    if affordable is not None:
        slots = min(slots, affordable)
    room = slots if probing else min(slots, _backlog_room())
    due = pitches_waiting(pipeline=pipeline, due_at=now)
    # A pitch whose deck is still being read (or must be uploaded again) waits for it: the read ends
    # by admitting again (pipelines.services.decks).
    held = due.filter(decks_held(now))
    if held_decks := list(held.values_list("deck_id", flat=True).distinct()[:100]):
        decks_nudge(held_decks)
        due = due.exclude(decks_held(now))
    fresh, backlog = split_backlog(due, backlog_cutoff(pipeline, now))
    if probing and pipeline.pause_pitch_id and due.exclude(pk=pipeline.pause_pitch_id).exists():
        # never the pitch that caused the pause, twice in a row
        fresh, backlog = fresh.exclude(pk=pipeline.pause_pitch_id), backlog.exclude(pk=pipeline.pause_pitch_id)
    started = [run for pitch in fresh[:room] if (run := pitch_evaluate(pitch=pitch)) is not None]
    if len(started) < room and backlog.exists():
        more = room - len(started)
        if not probing:
            more = backlog_room(room=more, free_slots=slots - len(started), limit=pipeline_in_flight_limit(pipeline),
                                queued=queued_messages(), max_queued=settings.VICBOT_ADMIT_MAX_BACKLOG)
        started += [run for pitch in backlog[:more] if (run := pitch_evaluate(pitch=pitch, backlog=True)) is not None]
    if probing and started:
        pipeline_probe_started(pipeline_id=pipeline.pk, run_id=started[0].pk)
    if room < slots and due.exists():
        _admit_again_soon(pipeline.pk)
    return len(started)


def _admit_again_soon(pipeline_id: int) -> None:
    """Held back by the broker's backlog, not by the limit: look again in a moment. A slow model
    ends no run for minutes, and the tick alone let in one backlog's worth every VICBOT_TICK_SECONDS
    (3,000 pitches on a 90 s model would have taken 16 minutes to start). One such message per
    pipeline at a time, however many admissions were held back."""
    if cache.add(f"pipelines:admit-again:{pipeline_id}", 1, timeout=ADMIT_AGAIN_SECONDS):
        enqueue_pitches_admit(pipeline_id, countdown=ADMIT_AGAIN_SECONDS)


def pipeline_room(pipeline: Pipeline) -> int:
    """How many more of the pipeline's pitches may start evaluating now."""
    room = None
    if pipeline.max_in_flight is not None:
        in_flight = pipeline.pitches.filter(status=Pitch.Status.EVALUATING).count()
        room = max(pipeline.max_in_flight - in_flight, 0)
        if room == 0:
            return 0
    model = pipeline_model(pipeline)
    if model is None:
        return 1 if room is None else room  # no such assistant: admission records it on the pipeline
    return in_flight_room(model) if room is None else min(room, in_flight_room(model))


def pipeline_in_flight_limit(pipeline: Pipeline) -> int | None:
    """The most pitches it may have evaluating: its cap, or the model's allowance (None: unknown assistant)."""
    model = pipeline_model(pipeline)
    allowance = None if model is None else in_flight_allowance(model)
    if pipeline.max_in_flight is None:
        return allowance
    return pipeline.max_in_flight if allowance is None else min(pipeline.max_in_flight, allowance)


def pipeline_model(pipeline: Pipeline) -> str | None:
    try:
        return Assistant.objects.current(pipeline.assistant_name).effective_model
    except Assistant.DoesNotExist:
        return None


def _backlog_room() -> int:
    """New runs the broker's backlog leaves room for. The next answer admits again (evaluation),
    so the pipeline fills up as fast as the worker keeps up, and no faster."""
    queued = queued_messages()
    return settings.VICBOT_ADMIT_MAX_BACKLOG if queued is None else max(settings.VICBOT_ADMIT_MAX_BACKLOG - queued, 0)
