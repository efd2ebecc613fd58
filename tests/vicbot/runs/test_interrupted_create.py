"""A create whose worker died mid-request: the run says what it waits for, then creates the turn once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.support.runs import PITCH, make_assistant
from vicbot.models import Run, RunStatus
from vicbot.runs import start_run
from vicbot.services.runs.advance import run_advance

# Not transactional: nothing commits, so the session's worker never sees this run and the test drives
# the engine's steps itself (as the tick would, after the SIGKILL).
pytestmark = pytest.mark.django_db


def _creates(openai_emu, run):
    return [b for m, p, b, _ in openai_emu.requests
            if m == "POST" and p.endswith("/responses") and b["metadata"]["vicbot_run"] == str(run.pk)]


def test_a_claim_left_by_a_killed_worker_is_explained_then_created_again_after_the_window(openai_emu,
                                                                                          engine_settings, settings):
    assert settings.OPENAI_WEBHOOK_SECRET  # webhooks could still name the response: the run waits for them
    settings.OPENAI_RECONCILE_SECONDS = 600
    make_assistant(tool_names=[])
    run = start_run(assistant="tester", input=PITCH)
    # What a worker killed between its claim and OpenAI's reply leaves behind: a claim, no response, no word.
    claimed = timezone.now() - timedelta(seconds=settings.OPENAI_TIMEOUT + 10)
    Run.objects.filter(pk=run.pk).update(create_claimed_at=claimed)

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
    assert run.status == RunStatus.WAITING_MODEL and run.turn == 1
    assert len(_creates(openai_emu, run)) == 1
