"""Each model's capacity: OpenAI's readings kept cheaply, 429s acted on at once, the allowance from both.

The OpenAI client tells `capacity_note_reading` about every reply (VicbotConfig.ready
registers it). Writing each reading would be one SQL write per request, so a process
records a model's limits when they differ from what it last recorded, and otherwise at
most every PERSIST_EVERY: often enough that the remaining counts admission steers by
(vicbot.capacity's aim) are seconds old, not a minute — a run lasts seconds, and a
minute-old count says nothing of the window a burst of admissions is about to spend —
yet at most one write every PERSIST_EVERY per process, however many requests it makes.
A reading older than READING_FRESH says nothing of now (an idle model's last count), so
the allowance falls back to the fixed headroom. A 429 about speed is written at once:
it changes the allowance.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import DurationField, ExpressionWrapper, F, Subquery, Sum
from django.utils import timezone

from integrations.openai import RateLimitReading
from vicbot.capacity import (FALLBACK_SECONDS_PER_TURN, FALLBACK_TOKENS_PER_TURN, THROTTLE_SPACING, TurnProfile,
                             allowance, remaining_share, requests_per_turn, throttle_after_rate_limit,
                             throttle_now)
from vicbot.models import ACTIVE_STATUSES, ModelCapacity, Run, RunStatus
from vicbot.services.runs.state import poll_policy

log = logging.getLogger(__name__)

PERSIST_EVERY = 2.0  # seconds between two records of unchanged limits, per process and model
READING_FRESH = timedelta(seconds=10)  # a remaining count older than this is not steered by
HISTORY_RUNS = 50  # recent finished runs a model's turn profile is averaged over
HISTORY_WINDOW = timedelta(days=1)

# No limits known: the profile does not matter (the allowance is the default), any will do.
_NO_PROFILE = TurnProfile(tokens=FALLBACK_TOKENS_PER_TURN, seconds=FALLBACK_SECONDS_PER_TURN, requests=2.0)

_recorded: dict[str, tuple[tuple[int | None, int | None], float]] = {}  # model → (limits, monotonic time)
_recorded_lock = threading.Lock()


def capacity_note_reading(reading: RateLimitReading) -> None:
    """The OpenAI client's listener: keep what the reply says about `reading.model`'s limits."""
    # Decided before any transaction: most replies change nothing, and this runs on every one.
    if reading.too_fast:
        write = capacity_throttle
    elif reading.model and reading.has_limits and _worth_recording(reading):
        write = _record_limits
    else:
        return
    try:
        with transaction.atomic():  # a savepoint: a failure here never spoils the caller's transaction
            write(reading)
    except DatabaseError:
        log.warning("Could not record OpenAI's rate limits for %s", reading.model, exc_info=True)


def _worth_recording(reading: RateLimitReading) -> bool:
    limits = (reading.limit_requests, reading.limit_tokens)
    with _recorded_lock:
        last = _recorded.get(reading.model)
        return last is None or last[0] != limits or time.monotonic() - last[1] >= PERSIST_EVERY


def _record_limits(reading: RateLimitReading) -> None:
    ModelCapacity.objects.bulk_create(  # one INSERT … ON CONFLICT (model) DO UPDATE
        [ModelCapacity(model=reading.model, read_at=timezone.now(), **_limit_fields(reading))],
        update_conflicts=True, unique_fields=["model"],
        update_fields=["requests_per_minute", "tokens_per_minute", "remaining_requests", "remaining_tokens",
                       "read_at"],
    )
    transaction.on_commit(lambda: _remember(reading))  # only once it is really in the database


def _remember(reading: RateLimitReading) -> None:
    with _recorded_lock:
        _recorded[reading.model] = ((reading.limit_requests, reading.limit_tokens), time.monotonic())


def capacity_forget_recorded() -> None:
    """Forget what this process recorded, so the next reading of each model is written (tests)."""
    with _recorded_lock:
        _recorded.clear()


def _limit_fields(reading: RateLimitReading) -> dict:
    return {"requests_per_minute": reading.limit_requests, "tokens_per_minute": reading.limit_tokens,
            "remaining_requests": reading.remaining_requests, "remaining_tokens": reading.remaining_tokens}


def capacity_throttle(reading: RateLimitReading) -> None:
    """A 429 about speed: halve the model's throttle, unless another 429 did within THROTTLE_SPACING.

    With no model (a retrieve or cancel names none), every model we know is slowed: the limit
    hit is one of them, and slowing the others too errs on the safe side.
    """
    now = timezone.now()
    names = [reading.model] if reading.model else list(ModelCapacity.objects.values_list("model", flat=True))
    for name in names:
        row, _ = ModelCapacity.objects.get_or_create(model=name)
        counted = {"rate_limited_count": F("rate_limited_count") + 1}
        if reading.has_limits:
            counted.update(_limit_fields(reading), read_at=now)
        if row.throttled_at is not None and now - row.throttled_at < THROTTLE_SPACING:
            # The same overload seen by another run: already acted on.
            ModelCapacity.objects.filter(pk=row.pk).update(**counted)
            continue
        lowered = throttle_after_rate_limit(throttle_now(row.throttle, row.throttled_at, now))
        # Compare-and-set on the last 429's time: of two 429s racing, one halves.
        if not ModelCapacity.objects.filter(pk=row.pk, throttled_at=row.throttled_at).update(
                throttle=lowered, throttled_at=now, **counted):
            ModelCapacity.objects.filter(pk=row.pk).update(**counted)
        log.warning("OpenAI rate limit for %s: in-flight allowance throttled to %.0f%%", name, lowered * 100)


def turn_profile(model: str, *, now=None) -> TurnProfile:
    """Tokens, seconds and requests of an average turn of `model`'s recent successful runs.

    The seconds are the time a run holds its in-flight slot — from admission (the run's
    creation) to its end — per turn: the queueing, task and webhook hops hold it as surely as
    the model does, and counting only from `started_at` undercounted it by a fifth at 2 s turns.
    Summed by the database (one row back): admission asks for it every time a slot frees.
    """
    now = now or timezone.now()
    recent = (Run.objects.filter(model=model, status=RunStatus.SUCCEEDED, turn__gt=0,
                                 finished_at__gte=now - HISTORY_WINDOW)
              .order_by("-finished_at").values("pk")[:HISTORY_RUNS])
    totals = Run.objects.filter(pk__in=Subquery(recent)).aggregate(
        tokens=Sum(F("input_tokens") + F("output_tokens")), turns=Sum("turn"),
        duration=Sum(ExpressionWrapper(F("finished_at") - F("created_at"), output_field=DurationField())))
    turns, tokens = totals["turns"] or 0, totals["tokens"] or 0
    seconds = max(totals["duration"].total_seconds(), 0.0) if totals["duration"] else 0.0
    per_turn_tokens = tokens / turns if turns and tokens else FALLBACK_TOKENS_PER_TURN
    per_turn_seconds = seconds / turns if turns and seconds else FALLBACK_SECONDS_PER_TURN
    requests = requests_per_turn(model_seconds=per_turn_seconds, webhooks=bool(settings.OPENAI_WEBHOOK_SECRET),
                                 polls=poll_policy())
    return TurnProfile(tokens=per_turn_tokens, seconds=per_turn_seconds, requests=requests)


def in_flight_allowance(model: str, *, now=None) -> int:
    """How many runs of `model` may be in flight at once (vicbot.capacity says how it is computed)."""
    now = now or timezone.now()
    row = ModelCapacity.objects.filter(model=model).first()
    if row is None:
        return allowance(requests_per_minute=None, tokens_per_minute=None, profile=_NO_PROFILE)
    throttle = throttle_now(row.throttle, row.throttled_at, now)
    profile = turn_profile(model, now=now) if row.requests_per_minute and row.tokens_per_minute else _NO_PROFILE
    fresh = row.read_at is not None and now - row.read_at <= READING_FRESH
    left = remaining_share(requests_per_minute=row.requests_per_minute, tokens_per_minute=row.tokens_per_minute,
                           remaining_requests=row.remaining_requests,
                           remaining_tokens=row.remaining_tokens) if fresh else None
    return allowance(requests_per_minute=row.requests_per_minute, tokens_per_minute=row.tokens_per_minute,
                     profile=profile, throttle=throttle, left=left)


def in_flight_room(model: str, *, now=None) -> int:
    """How many more runs of `model` may start now: the allowance less the runs of it already active."""
    active = Run.objects.filter(model=model, status__in=ACTIVE_STATUSES).count()
    return max(in_flight_allowance(model, now=now) - active, 0)
