"""Webhooks: signed thin events for background responses, retried, sometimes duplicated."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from openai import OpenAI
from standardwebhooks import Webhook

from sandbox.emulators.openai import Clock, OpenAIEmulator
from sandbox.emulators.openai.webhooks import sign

from .scenarios import MODEL, PITCH
from .support import WEBHOOK_SECRET, WebhookReceiver, make_client, wait_until


def test_a_completed_background_response_is_announced_with_a_signed_event(
    webhook_client: OpenAI, webhook_emulator: OpenAIEmulator, receiver: WebhookReceiver, clock: Clock
) -> None:
    created = webhook_client.responses.create(model=MODEL, input=PITCH, background=True)
    clock.advance(1)

    [(headers, body)] = wait_until(lambda: receiver.received)

    event = webhook_client.webhooks.unwrap(body, headers, secret=WEBHOOK_SECRET)
    assert event.type == "response.completed"
    assert event.data.id == created.id
    assert event.id.startswith("evt_")
    assert Webhook(WEBHOOK_SECRET).verify(body, headers) == json.loads(body)
    assert headers["webhook-id"].startswith("wh_")
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == "OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)"
    assert json.loads(body) == {
        "id": event.id,
        "type": "response.completed",
        "created_at": event.created_at,
        "data": {"id": created.id},
        "object": "event",
    }
    [delivery] = wait_until(lambda: webhook_emulator.webhook_deliveries)
    assert (delivery["status_code"], delivery["webhook_id"]) == (200, headers["webhook-id"])


def test_the_webhook_fires_without_anyone_polling(
    webhook_client: OpenAI, receiver: WebhookReceiver, clock: Clock
) -> None:
    webhook_client.responses.create(model=MODEL, input=PITCH, background=True)

    clock.advance(1)  # no retrieve: the emulator's own thread notices the transition

    wait_until(lambda: receiver.received)


@pytest.mark.parametrize(
    ("fault", "event_type"),
    [({"outcome": "failed"}, "response.failed"), ({"outcome": "incomplete"}, "response.incomplete")],
)
def test_failed_and_incomplete_responses_have_their_own_event_types(
    webhook_client: OpenAI,
    webhook_emulator: OpenAIEmulator,
    receiver: WebhookReceiver,
    clock: Clock,
    fault: dict,
    event_type: str,
) -> None:
    webhook_emulator.faults.add("create", **fault)
    webhook_client.responses.create(model=MODEL, input=PITCH, background=True)
    clock.advance(1)

    [(headers, body)] = wait_until(lambda: receiver.received)

    assert webhook_client.webhooks.unwrap(body, headers).type == event_type


def test_cancelling_announces_response_cancelled_once(
    webhook_client: OpenAI, webhook_emulator: OpenAIEmulator, receiver: WebhookReceiver, clock: Clock
) -> None:
    created = webhook_client.responses.create(model=MODEL, input=PITCH, background=True)

    webhook_client.responses.cancel(created.id)
    webhook_client.responses.cancel(created.id)
    clock.advance(5)

    [(headers, body)] = wait_until(lambda: receiver.received)
    event = webhook_client.webhooks.unwrap(body, headers)
    assert (event.type, event.data.id) == ("response.cancelled", created.id)
    clock.advance(5)
    time.sleep(0.1)  # give a wrongly repeated announcement the time to arrive
    assert len(receiver.received) == 1


def test_synchronous_responses_send_no_webhook(
    webhook_client: OpenAI, webhook_emulator: OpenAIEmulator, receiver: WebhookReceiver, clock: Clock
) -> None:
    webhook_client.responses.create(model=MODEL, input=PITCH)
    background = webhook_client.responses.create(model=MODEL, input=PITCH, background=True)
    clock.advance(1)

    wait_until(lambda: receiver.received)
    time.sleep(0.1)  # give a wrongly sent second event the time to arrive
    [(_, body)] = receiver.received
    assert json.loads(body)["data"]["id"] == background.id


def test_duplicate_webhooks_reuse_the_webhook_id(
    webhook_client: OpenAI, webhook_emulator: OpenAIEmulator, receiver: WebhookReceiver, clock: Clock
) -> None:
    webhook_emulator.duplicate_webhooks = True
    webhook_client.responses.create(model=MODEL, input=PITCH, background=True)
    clock.advance(1)

    first, second = wait_until(lambda: len(receiver.received) == 2 and receiver.received)

    assert first[0]["webhook-id"] == second[0]["webhook-id"]
    assert first[1] == second[1]
    for headers, body in (first, second):
        webhook_client.webhooks.verify_signature(body, headers)


def test_failed_deliveries_are_retried_until_acknowledged(
    webhook_client: OpenAI, webhook_emulator: OpenAIEmulator, receiver: WebhookReceiver, clock: Clock
) -> None:
    receiver.replies = [500, 302, 503]
    created = webhook_client.responses.create(model=MODEL, input=PITCH, background=True)
    clock.advance(1)

    deliveries = webhook_emulator.webhook_deliveries
    attempts = wait_until(lambda: len(deliveries) == 4 and deliveries)

    assert [(a["attempt"], a["status_code"]) for a in attempts] == [(1, 500), (2, 302), (3, 503), (4, 200)]
    assert {a["response_id"] for a in attempts} == {created.id}
    assert len({headers["webhook-id"] for headers, _ in receiver.received}) == 1


def test_an_unreachable_receiver_is_retried_then_given_up(clock: Clock) -> None:
    with WebhookReceiver() as gone:
        url = gone.url
    with OpenAIEmulator(clock=clock, webhook_url=url) as emu, make_client(emu) as sdk:
        sdk.responses.create(model=MODEL, input=PITCH, background=True)
        clock.advance(1)

        wait_until(lambda: len(emu.webhook_deliveries) == 5)

        assert all(attempt["status_code"] is None and attempt["error"] for attempt in emu.webhook_deliveries)


def test_a_webhook_url_set_after_start_is_used(clock: Clock, receiver: WebhookReceiver) -> None:
    with OpenAIEmulator(clock=clock) as emu, make_client(emu) as sdk:
        emu.webhook_url = receiver.url
        sdk.responses.create(model=MODEL, input=PITCH, background=True)
        clock.advance(1)

        [(headers, body)] = wait_until(lambda: receiver.received)

        assert Webhook(emu.webhook_secret).verify(body, headers)["type"] == "response.completed"


@pytest.mark.parametrize("secret", [WEBHOOK_SECRET, b"raw-secret-bytes"])
def test_the_signer_matches_the_standard_webhooks_reference(secret: str | bytes) -> None:
    body = b'{"id":"evt_1","type":"response.completed"}'
    reference = Webhook(secret)
    ours = sign(secret if isinstance(secret, str) else secret.decode(), "wh_1", 1_700_000_000, body)

    assert ours == reference.sign("wh_1", datetime.fromtimestamp(1_700_000_000, tz=UTC), body.decode())
