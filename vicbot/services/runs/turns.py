"""Creating a model turn: the one step that can bill twice if done carelessly.

A create is claimed first (create_claimed_at), sent with no SDK retries, and its
response id saved at once. A timeout leaves the claim in place: the outcome is
unknown, and the run waits for OpenAI's webhook to reveal the response (its
metadata names run and turn) before it would ever create the turn again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from integrations.openai import get_client
from integrations.openai import OpenAIError, classify
from config.enqueue import enqueue_run_advance, run_step_priority
from vicbot.models import Assistant, Run, WebhookEvent
from vicbot.services.runs.cancel import response_cancel
from vicbot.services.runs.offer import run_offer_tools
from vicbot.services.runs.request import next_turn_request, run_service_tier
from vicbot.services.runs.state import next_check, poll_in, poll_policy, run_fail, run_move, turn_retry_policy

log = logging.getLogger(__name__)


def run_create_turn(run: Run) -> None:
    if run.create_claimed_at:
        return _reconcile_unknown_create(run)
    if run.turn >= run.assistant.max_turns:
        run_fail(run, "turn_cap_reached", f"The model used all {run.assistant.max_turns} turns without answering")
        return
    now = timezone.now()
    claimed = run_move(
        run.pk, "claim_create", where={"create_claimed_at__isnull": True, "turn": run.turn},
        create_claimed_at=now, next_check_at=now + timedelta(seconds=settings.OPENAI_TIMEOUT + 30),
    )
    if not claimed:
        return  # another worker is creating this turn
    run_offer_tools(run)  # at the first turn, here in the worker (no-op after)
    try:
        response = get_client().responses.create(**next_turn_request(run))
    except Exception as exc:
        return _create_failed(run, classify(exc), claimed_at=now)
    if not run_adopt_response(run.pk, response.id, turn=run.turn + 1, run=run):
        # The run ended while we were creating (an operator, its deadline): stop the orphan.
        response_cancel(response_id=response.id)


def run_adopt_response(run_id: int, response_id: str, *, turn: int, run: Run | None = None) -> bool:
    """Record that `response_id` is turn `turn` of the run (after a create, or found by webhook).

    `run`: the row as read before this turn was claimed, if the caller has it (not read again). Its
    response ids cannot be stale where it matters: only an adoption changes them, together with the
    turn, and the move below requires the turn this one follows.
    """
    if run is None:
        run = Run.objects.get(pk=run_id)
    if response_id in run.response_ids:
        return False  # a turn the run already had (and abandoned): stale news, never the current turn
    now = timezone.now()
    first_poll = poll_policy().delay(1)
    adopted = run_move(
        run_id, "adopt_response", where={"create_claimed_at__isnull": False, "turn": turn - 1},
        turn=turn, response_id=response_id,
        response_ids=[*run.response_ids, response_id], create_claimed_at=None, poll_count=0,
        started_at=run.started_at or now, next_check_at=now + next_check(first_poll),
    )
    if adopted:
        poll_in(run_id, first_poll, background=run.background)
        log.info("run %s turn %s is response %s", run_id, turn, response_id)
    return adopted


def _create_failed(run: Run, failure: OpenAIError, *, claimed_at) -> None:
    log.warning("run %s: create failed (%s): %s", run.pk, failure.code, failure.message)
    if flex_unavailable(run, failure):
        # Flex had no capacity (nothing was created nor billed): the turn and the run's later turns ask
        # the standard tier at once, rather than waiting on flex (OpenAI's guide: retry or fall back).
        if run_move(run.pk, "retry_create", where={"create_claimed_at": claimed_at}, create_claimed_at=None,
                    flex_fell_back=True, error_message=f"Flex unavailable, standard tier used: {failure.message}",
                    next_check_at=timezone.now() + timedelta(seconds=60)):
            enqueue_run_advance(run.pk, priority=run_step_priority(background=run.background))
        return
    if failure.outcome_unknown:
        # Keep the claim: the response may exist. The tick comes back to reconcile.
        run_move(
            run.pk, "await_create_outcome", where={"create_claimed_at": claimed_at},
            error_message=f"Creating turn {run.turn + 1}: {failure.message}; waiting to learn whether it exists",
            next_check_at=timezone.now() + timedelta(seconds=30),
        )
        return
    policy = turn_retry_policy()
    if not failure.transient or policy.exhausted(run.attempts + 1):
        run_fail(run, failure.code, failure.message, attempts=run.attempts + 1, error_systemic=failure.systemic)
        return
    delay = policy.delay(run.attempts + 1, retry_after=failure.retry_after)
    run_move(
        run.pk, "retry_create", where={"create_claimed_at": claimed_at},
        create_claimed_at=None, attempts=run.attempts + 1, error_code=failure.code,
        error_message=f"Will retry: {failure.message}",
        next_check_at=timezone.now() + timedelta(seconds=delay),
    )


FLEX_UNAVAILABLE_CODES = frozenset({"resource_unavailable"})


def flex_unavailable(run: Run, failure: OpenAIError) -> bool:
    """A 429 that is flex's lack of capacity (not a rate limit), on a run that asked flex."""
    return (failure.status == 429 and failure.code in FLEX_UNAVAILABLE_CODES and not run.flex_fell_back
            and run_service_tier(run) == Assistant.ServiceTier.FLEX)


# A webhook is processed within moments of arriving; one still unprocessed after this is failing or lost.
WEBHOOK_PROCESSING_SECONDS = 10


def _webhooks_unheard_since(claimed_at, now) -> int:
    """Webhooks received since a create was claimed whose processing has neither succeeded nor given up."""
    return WebhookEvent.objects.filter(
        processed_at__isnull=True, failed_at__isnull=True, received_at__gte=claimed_at,
        received_at__lt=now - timedelta(seconds=WEBHOOK_PROCESSING_SECONDS)).count()


def _reconcile_unknown_create(run: Run) -> None:
    now = timezone.now()
    if now < run.create_claimed_at + timedelta(seconds=settings.OPENAI_TIMEOUT + 5):
        return  # the create may still be in flight in another worker
    if not settings.OPENAI_WEBHOOK_SECRET:
        # Without webhooks nothing can tell us whether the response exists, and
        # creating it again could bill the turn twice: stop and say so.
        run_fail(
            run, "create_outcome_unknown",
            f"Creating turn {run.turn + 1} timed out and, with no webhook configured, Vicbot cannot tell "
            "whether OpenAI started it. Re-run it from the admin.",
        )
        return
    # Shorter than what is left of the run's deadline, so a create that never happened is
    # retried in time rather than the run idling until its deadline.
    window = min(timedelta(seconds=settings.OPENAI_RECONCILE_SECONDS), (run.deadline_at - run.create_claimed_at) / 2)
    window_ends = run.create_claimed_at + window
    if now < window_ends:
        # A create that raised says why already; one whose worker died mid-request (a claim and no word) must
        # still say what the run waits for, or it sits pending for minutes unexplained.
        said = run.error_message.startswith(f"Creating turn {run.turn + 1}:")
        message = run.error_message if said else (
            f"Creating turn {run.turn + 1} was interrupted (its worker stopped mid-request); waiting until "
            f"{window_ends:%H:%M:%S} UTC for OpenAI's webhook to say whether it exists before creating it again")
        run_move(run.pk, "await_create_outcome", where={"create_claimed_at": run.create_claimed_at},
                 error_message=message, next_check_at=min(window_ends, now + timedelta(seconds=60)))
        return
    if (unheard := _webhooks_unheard_since(run.create_claimed_at, now)):
        # OpenAI did send webhooks since the claim that we could not yet read (an outage fails their processing,
        # which backs off): one of them may name this turn, and creating it again now would bill it twice.
        run_move(run.pk, "await_create_outcome", where={"create_claimed_at": run.create_claimed_at},
                 error_message=f"Creating turn {run.turn + 1}: outcome unknown; {unheard} webhook(s) received since "
                               "are not processed yet, and one may name it",
                 next_check_at=now + timedelta(seconds=30))
        return
    # No webhook named a response for this turn in the whole window: it was never created.
    run_move(
        run.pk, "retry_create", where={"create_claimed_at": run.create_claimed_at},
        create_claimed_at=None, attempts=run.attempts + 1, next_check_at=now,
    )
