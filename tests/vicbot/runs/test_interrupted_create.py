"""A create whose worker died mid-request: the run says what it waits for, never creates the turn twice while a
webhook that may name it is unread, and creates it again once nothing can."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from integrations.openai import get_client
from tests.support.runs import PITCH, make_assistant
from vicbot.models import Run, RunStatus, WebhookEvent
from vicbot.runs import start_run
from vicbot.services.runs.advance import run_advance
from vicbot.services.runs.request import next_turn_request
from vicbot.services.runs.webhooks import webhook_event_process, webhook_event_record

pytestmark = pytest.mark.django_db


def _creates(openai_emu, run, turn="1"):
    return [b for m, p, b, _ in openai_emu.requests if m == "POST" and p.endswith("/responses")
            and b["metadata"] == {"vicbot_run": str(run.pk), "vicbot_turn": turn}]


def _run_left_by_a_killed_worker(*, claimed_ago: timedelta) -> tuple[Run, object]:
    """What a worker SIGKILLed between its claim and OpenAI's reply leaves: a claim, no response, no word.
    Committed together, so the session's worker (if one runs) only ever sees the run so."""
    with transaction.atomic():
        run = start_run(assistant="tester", input=PITCH)
        claimed = timezone.now() - claimed_ago
        Run.objects.filter(pk=run.pk).update(create_claimed_at=claimed)
    return run, claimed


def test_a_claim_left_by_a_killed_worker_is_explained_then_created_again_after_the_window(openai_emu,
                                                                                          engine_settings, settings):
    assert settings.OPENAI_WEBHOOK_SECRET  # webhooks could still name the response: the run waits for them
    settings.OPENAI_RECONCILE_SECONDS = 600
    make_assistant(tool_names=[])
    run, claimed = _run_left_by_a_killed_worker(claimed_ago=timedelta(seconds=settings.OPENAI_TIMEOUT + 10))

    run_advance(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == RunStatus.PENDING and run.create_claimed_at == claimed
    assert run.error_message.startswith("Creating turn 1 was interrupted"), run.error_message
    assert "for OpenAI's webhook" in run.error_message
    assert _creates(openai_emu, run) == []  # never created twice on a guess

    Run.objects.filter(pk=run.pk).update(create_claimed_at=timezone.now() - timedelta(seconds=601))
    run_advance(run_id=run.pk)  # no webhook named a response in the whole window: it was never created
    run.refresh_from_db()
    assert run.create_claimed_at is None and run.status == RunStatus.PENDING
    run_advance(run_id=run.pk)

    run.refresh_from_db()
    assert run.turn >= 1 and len(run.response_ids) == 1
    assert len(_creates(openai_emu, run)) == 1


def test_a_webhook_not_yet_processed_holds_the_create_back_past_the_window_and_then_names_the_turn(
        openai_emu, engine_settings, settings):
    settings.OPENAI_RECONCILE_SECONDS = 600
    make_assistant(tool_names=[])
    with transaction.atomic():  # all of it seen at once by the session's worker, if one runs
        run, claimed = _run_left_by_a_killed_worker(claimed_ago=timedelta(seconds=601))
        # OpenAI is out for this run's responses: no webhook about them can be processed meanwhile.
        outage = openai_emu.faults.add("retrieve", status=401, times=None, match={"vicbot_run": str(run.pk)})
        # The killed worker's create had reached OpenAI, and its webhook came but failed (the event waits out
        # its backoff).
        response = get_client().responses.create(**next_turn_request(run))
        webhook_event_record(webhook_id="wh_interrupted", event_type="response.completed", response_id=response.id)
        event = WebhookEvent.objects.get(webhook_id="wh_interrupted")
        WebhookEvent.objects.filter(pk=event.pk).update(received_at=claimed + timedelta(seconds=1), attempts=1,
                                                        next_attempt_at=timezone.now() + timedelta(minutes=1))

    run_advance(run_id=run.pk)  # the window is over, but a webhook received since is still unread

    run.refresh_from_db()
    assert run.create_claimed_at == claimed and run.status == RunStatus.PENDING
    assert "webhook(s) received since are not processed yet" in run.error_message, run.error_message
    assert len(_creates(openai_emu, run)) == 1  # only the killed worker's

    outage.remaining = 0  # OpenAI is back; the event's backoff is over
    webhook_event_process(event_id=event.pk)

    run.refresh_from_db()
    assert run.response_ids == [response.id] and run.turn == 1 and run.create_claimed_at is None
    assert len(_creates(openai_emu, run)) == 1
