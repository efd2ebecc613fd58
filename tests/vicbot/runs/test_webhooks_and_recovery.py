"""Webhooks, unknown create outcomes and a worker killed mid-run."""

import json
import time

import pytest
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
    assert not WebhookEvent.objects.exists()


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
    events = WebhookEvent.objects.filter(response_id__in=run.response_ids)
    assert events.count() == 2  # one per turn, although each was delivered twice
    delivered = [d for d in openai_emu.webhook_deliveries if d["response_id"] in run.response_ids]
    assert len(delivered) >= 4
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

    run = wait_until_done(run, timeout=60)
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    pause = run.tool_calls.get(name="test_pause")
    assert pause.status == ToolCall.Status.SUCCEEDED and pause.attempts == 2
    assert calls_for(run.pk) == [f"run-{run.pk}-succeeded"]
    assert run.completion_state == CompletionState.DONE
    assert len(run.response_ids) == 2
