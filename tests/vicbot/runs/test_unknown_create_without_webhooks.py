"""Without webhooks, a create whose outcome is unknown stops the run rather than risk a second bill."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations import openai
from tests.support.runs import PITCH, make_assistant
from vicbot.models import Run, RunStatus
from vicbot.runs import start_run
from vicbot.services.runs.advance import run_advance

# Not transactional: nothing commits, so the session's worker never sees this run and
# the test drives the engine's steps itself.
pytestmark = pytest.mark.django_db


def test_a_timed_out_create_fails_the_run_with_the_reason_when_no_webhook_can_tell(openai_emu, engine_settings,
                                                                                  settings, request):
    settings.OPENAI_WEBHOOK_SECRET = ""
    # Long enough for the request to reach the emulator on a busy machine (its fault is matched on
    # arrival: under 2 s, a loaded machine timed out before the emulator saw it); the hold outlasts it.
    settings.OPENAI_TIMEOUT = 8.0
    openai.reset_client()
    request.addfinalizer(openai.reset_client)  # the next test's client is built from its own settings
    make_assistant(tool_names=[])
    run = start_run(assistant="tester", input=PITCH)
    # Held far past the client's timeout: however slow the machine, the reply cannot come in time.
    openai_emu.faults.add("create", match={"vicbot_run": str(run.pk)}, delay=settings.OPENAI_TIMEOUT + 20)

    run_advance(run_id=run.pk)  # the create times out after OPENAI_TIMEOUT
    run.refresh_from_db()
    assert run.status == RunStatus.PENDING and run.create_claimed_at is not None
    assert "waiting to learn whether it exists" in run.error_message, (
        run.error_code, run.first_error, run.response_ids, openai_emu.faults.pending(),
        [(m, p, (b or {}).get("metadata")) for m, p, b, _ in openai_emu.requests[-5:]])

    Run.objects.filter(pk=run.pk).update(create_claimed_at=timezone.now() - timedelta(minutes=1))
    run_advance(run_id=run.pk)  # the tick's next look

    run.refresh_from_db()
    assert (run.status, run.error_code) == (RunStatus.FAILED, "create_outcome_unknown")
    assert "Re-run it from the admin" in run.error_message
    creates = [b for m, p, b, _ in openai_emu.requests
               if m == "POST" and p.endswith("/responses") and b["metadata"]["vicbot_run"] == str(run.pk)]
    assert len(creates) == 1
