"""Bad input through the real entry points: each ends in a recorded, explained state, nothing lost.

The rest of the sweep lives beside the code it exercises:
- forged and replayed webhooks: tests/vicbot/runs/test_webhooks_and_recovery.py
- answers that are not JSON or not the schema: tests/vicbot/runs/test_run_outcomes.py (run level) and
  tests/pipelines/test_pitch_lifecycle.py (a pitch retries, then fails with every reason)
- tool arguments that are not JSON, unknown tools, tools that raise or answer too much:
  tests/vicbot/runs/test_run_succeeds.py
- enormous, binary and compressed pages, redirects into private address space: tests/integrations/web/
- huge and SOQL-looking record fields: tests/pipelines/test_intake.py
"""

import json
import time

import pytest

from pipelines.models import Pitch
from pipelines.services.intake import pitches_pull
from tests.support import emulators
from tests.support.pitches import make_pipeline, wait_until_written_back
from vicbot.models import WebhookEvent

WEBHOOK = "/webhooks/openai/"


def signed(raw: bytes, *, webhook_id: str, timestamp: int) -> dict:
    from datetime import UTC, datetime

    from standardwebhooks import Webhook

    when = datetime.fromtimestamp(timestamp, tz=UTC)
    signature = Webhook(emulators.WEBHOOK_SECRET).sign(webhook_id, when, raw.decode())
    return {"webhook-id": webhook_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}


@pytest.fixture
def webhooks_on(settings):
    settings.OPENAI_WEBHOOK_SECRET = emulators.WEBHOOK_SECRET
    from integrations import openai

    openai.reset_client()
    yield
    openai.reset_client()


@pytest.mark.django_db
@pytest.mark.usefixtures("webhooks_on")
@pytest.mark.parametrize("case", ["stale", "not_json", "oversized", "no_headers"])
def test_bad_webhook_deliveries_are_refused_and_record_nothing(client, case):
    body = json.dumps({"id": "evt", "type": "response.completed", "data": {"id": "resp_x"}}).encode()
    timestamp = int(time.time())
    if case == "stale":
        timestamp -= 3600  # a signature made an hour ago: a replay from a capture
    if case == "not_json":
        body = b'{"type": "response.completed", "data": '
    if case == "oversized":
        body = json.dumps({"type": "response.completed", "data": {"id": "r", "pad": "x" * 3_000_000}}).encode()
    headers = {} if case == "no_headers" else signed(body, webhook_id=f"wh_{case}", timestamp=timestamp)

    response = client.post(WEBHOOK, body, content_type="application/json", headers=headers)

    assert response.status_code == 400, response.content[:300]
    assert not WebhookEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("celery_worker")
def test_records_empty_or_in_any_script_are_evaluated_and_written_like_any_other(salesforce, openai_emu):
    pipeline = make_pipeline(selection="Name != null")
    names = ["株式会社ロボ 🤖", "Ωmega — Ärzte & Søn", "\u202eevil\u202c", "x"]
    for name in names:
        salesforce.org.insert("Account", {"Name": name}, modified_by=salesforce.org.human_user_id)

    pitches_pull(pipeline_id=pipeline.pk)
    written = wait_until_written_back(pipeline, len(names))

    assert {p.status for p in written} == {Pitch.Status.WRITTEN_BACK}
    assert sorted(p.name for p in written) == sorted(names)
    for pitch in written:
        record = salesforce.org.get(pitch.salesforce_id)
        assert record["VicBot_Assessment__c"] and record["VicBot_Reasoning__c"]  # never blank
