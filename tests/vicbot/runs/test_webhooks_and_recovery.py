"""Webhooks, unknown create outcomes and a worker killed mid-run."""

import json
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from tests.conftest import wait_for
from tests.support import emulators
from tests.support.handlers import RECORD_OUTCOME, calls_for
from tests.support.runs import make_assistant, start_with_faults, wait_until_done
from vicbot.models import CompletionState, RunStatus, ToolCall, WebhookEvent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]


def signed(body: dict, webhook_id: str = "wh_test_1") -> tuple[bytes, dict]:
    raw = json.dumps(body).encode()
    timestamp = int(time.time())
    signature = Webhook(emulators.WEBHOOK_SECRET).sign(webhook_id, _utc(timestamp), raw.decode())
    return raw, {"webhook-id": webhook_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}


def _utc(timestamp):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(timestamp, tz=UTC)


def post(client, raw, headers):
    return client.post("/webhooks/openai/", raw, content_type="application/json",
                       headers=headers)


def test_a_webhook_with_a_bad_signature_is_rejected(client):
    raw, headers = signed({"id": "evt_1", "type": "response.completed", "data": {"id": "resp_x"}, "object": "event"})
    headers["webhook-signature"] = "v1,bm90IHRoZSByaWdodCBzaWduYXR1cmU="

    assert post(client, raw, headers).status_code == 400
    # This delivery's id only: an earlier test's emulated run may still deliver its own webhooks meanwhile.
    assert not WebhookEvent.objects.filter(webhook_id="wh_test_1").exists()


def test_a_redelivered_webhook_is_recorded_once(client):
    raw, headers = signed({"id": "evt_2", "type": "response.completed", "data": {"id": "resp_unknown"},
                           "object": "event"}, webhook_id="wh_dup")

    assert post(client, raw, headers).status_code == 200
    assert post(client, raw, headers).status_code == 200
    assert WebhookEvent.objects.filter(webhook_id="wh_dup").count() == 1


def test_runs_advance_by_webhook_and_duplicate_deliveries_change_nothing(openai_emu):
    openai_emu.duplicate_webhooks = True
    make_assistant(tool_names=["test_lookup"])

    run = wait_until_done(start_with_faults(openai_emu, [], on_complete=RECORD_OUTCOME))

    assert run.status == RunStatus.SUCCEEDED
    # The run ends on the first delivery of its last turn; the second one may still be on its way.
    wait_for(lambda: len([d for d in openai_emu.webhook_deliveries if d["response_id"] in run.response_ids]) >= 4,
             message="every webhook to be delivered twice")
    events = WebhookEvent.objects.filter(response_id__in=run.response_ids)
    assert events.count() == 2  # one per turn, although each was delivered twice
    assert run.tool_calls.count() == 1
    assert calls_for(run.pk) == [f"run-{run.pk}-succeeded"]


def test_a_create_that_times_out_is_adopted_from_its_webhook_not_created_twice(openai_emu):
    make_assistant(tool_names=[])
    # The emulator creates the response but answers after the worker's 2 s timeout.
    run = start_with_faults(openai_emu, [("create", {"delay": 3.5})])

    run = wait_until_done(run, timeout=40)

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    creates = [b for m, p, b, _ in openai_emu.requests
               if m == "POST" and p.endswith("/responses") and b["metadata"]["vicbot_run"] == str(run.pk)]
    assert len(creates) == 1
    assert len(run.response_ids) == 1


def test_a_worker_killed_mid_run_is_recovered_and_the_run_finishes_once(openai_emu, celery_worker):
    make_assistant(tool_names=["test_pause", "test_lookup"])
    run = start_with_faults(openai_emu, [], on_complete=RECORD_OUTCOME)

    wait_for(lambda: run.tool_calls.filter(name="test_pause", status=ToolCall.Status.RUNNING).exists(),
             message="the slow tool to start")
    celery_worker.restart()  # SIGKILL to the whole worker: no chance to finish or requeue politely

    # A continuation whose message died with the worker is found by the tick 60 s after the tools
    # finished (run_continue_after_tools' next check): wait well past that, for a busy machine.
    run = wait_until_done(run, timeout=240)
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    pause = run.tool_calls.get(name="test_pause")
    assert pause.status == ToolCall.Status.SUCCEEDED and pause.attempts == 2
    assert calls_for(run.pk) == [f"run-{run.pk}-succeeded"]
    assert run.completion_state == CompletionState.DONE
    assert len(run.response_ids) == 2


def test_a_late_cancelled_webhook_for_a_response_the_run_gave_up_on_is_never_adopted(openai_emu):
    """A stuck turn is retried and its response cancelled; OpenAI's `response.cancelled` for it arrives late."""
    make_assistant(tool_names=[])
    run = wait_until_done(start_with_faults(openai_emu, [("create", {"outcome": "stuck"})]), timeout=45)

    assert run.status == RunStatus.SUCCEEDED
    assert len(run.response_ids) == 2 and run.response_id == run.response_ids[1]
    abandoned = run.response_ids[0]
    # Its webhook was recorded and processed without moving the run back to the abandoned turn.
    wait_for(lambda: WebhookEvent.objects.filter(response_id=abandoned, processed_at__isnull=False).exists(),
             message="the abandoned response's webhook to be processed")
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.response_id == run.response_ids[1]


@contextmanager
def a_run_whose_webhook_message_was_lost(openai_emu, webhook_id):
    """A run whose webhook was recorded and whose message was then lost (Redis flushed), with the run's
    own next check an hour away: only the tick's re-send of the event can move it. Yields (run, event)."""
    from vicbot.models import Run

    make_assistant(tool_names=[])
    run = start_with_faults(openai_emu, [("create", {"outcome": "slow", "seconds": 2})])
    wait_for(lambda: Run.objects.get(pk=run.pk).response_id, message="the turn to be created")
    run.refresh_from_db()
    Run.objects.filter(pk=run.pk).update(next_check_at=timezone.now() + timedelta(hours=1))
    webhook_url, openai_emu.webhook_url = openai_emu.webhook_url, None
    try:
        event = WebhookEvent.objects.create(webhook_id=webhook_id, event_type="response.completed",
                                            response_id=run.response_id)
        WebhookEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - timedelta(minutes=5))
        yield run, event
    finally:
        openai_emu.webhook_url = webhook_url


def test_a_webhook_whose_message_was_lost_is_processed_by_the_tick(openai_emu):
    with a_run_whose_webhook_message_was_lost(openai_emu, "wh_lost") as (run, event):
        run = wait_until_done(run, timeout=30)

    assert run.status == RunStatus.SUCCEEDED
    assert WebhookEvent.objects.get(pk=event.pk).processed_at is not None


def test_a_webhook_for_a_response_openai_cannot_return_fails_after_bounded_retries_without_starving_others(
        client, openai_emu, settings):
    # A signed event for a response OpenAI answers 404 for (another project's, or long deleted).
    raw, headers = signed({"id": "evt_404", "type": "response.completed", "data": {"id": "resp_not_there"},
                           "object": "event"}, webhook_id="wh_404")
    assert post(client, raw, headers).status_code == 200
    hopeless = WebhookEvent.objects.get(webhook_id="wh_404")
    # Behind it, a genuine event whose message was lost (as in the test above).
    with a_run_whose_webhook_message_was_lost(openai_emu, "wh_lost_behind") as (run, lost):
        run = wait_until_done(run, timeout=30)
        hopeless = wait_for(lambda: WebhookEvent.objects.filter(pk=hopeless.pk, failed_at__isnull=False).first(),
                            timeout=30, message="the hopeless event to be given up on")

    assert run.status == RunStatus.SUCCEEDED
    assert WebhookEvent.objects.get(pk=lost.pk).processed_at is not None
    assert hopeless.processed_at is None and hopeless.attempts == settings.OPENAI_WEBHOOK_MAX_ATTEMPTS == 3
    assert "NotFoundError" in hopeless.error and "resp_not_there" in hopeless.error
    retrieves = [p for m, p, _, _ in openai_emu.requests if m == "GET" and p.endswith("/resp_not_there")]
    assert len(retrieves) == 3  # bounded: no more attempts once it has failed
    assert WebhookEvent.objects.get(pk=hopeless.pk).next_attempt_at is None


def test_a_run_that_has_ended_executes_none_of_its_queued_tool_calls(openai_emu):
    from config.enqueue import enqueue_tool_call_execute
    from vicbot.models import Run
    from vicbot.runs import run_cancel

    make_assistant(tool_names=["test_lookup"])
    run = start_with_faults(openai_emu, [("create", {"outcome": "slow", "seconds": 3})])
    wait_for(lambda: Run.objects.get(pk=run.pk).status == RunStatus.WAITING_MODEL, message="the run in flight")
    assert run_cancel(run_id=run.pk)
    # A tool call whose message was still on its way when the operator cancelled the run.
    call = ToolCall.objects.create(run=run, turn=1, call_id="call_late", name="test_lookup",
                                   arguments='{"company_name": "Acme"}')
    enqueue_tool_call_execute(call.pk, after_commit=False)

    call = wait_for(lambda: (c := ToolCall.objects.get(pk=call.pk)).status != ToolCall.Status.PENDING and c,
                    message="the late tool call to be settled")
    assert call.status == ToolCall.Status.SKIPPED and call.attempts == 0 and call.started_at is None
    assert call.output == ""


def test_a_turns_webhook_is_processed_before_its_tool_calls_run_in_the_same_task(openai_emu, celery_worker):
    """The webhook's task runs the turn's tool calls itself (no task of their own), but only after recording
    the event as processed: while they ran inside the step, the tick took a slow turn's event for lost
    and sent it again every 30 s."""
    from config.enqueue import Task
    from core.actors import ActorKind
    from core.models import Transition

    make_assistant(tool_names=["test_pause"])
    run = wait_until_done(start_with_faults(openai_emu, []), timeout=90)
    assert run.status == RunStatus.SUCCEEDED, run.error_message

    pause = run.tool_calls.get(name="test_pause")
    event = WebhookEvent.objects.get(response_id=run.response_ids[0], event_type="response.completed")
    assert event.processed_at is not None and event.processed_at < pause.finished_at
    assert event.attempts == 0
    claim = Transition.objects.get(model="vicbot.toolcall", object_pk=pause.pk, operation="claim")
    assert (claim.actor_kind, claim.actor_label) == (ActorKind.TASK, Task.WEBHOOK_EVENT_PROCESS.value)
