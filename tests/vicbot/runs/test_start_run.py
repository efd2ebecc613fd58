"""start_run checks what it is given at once, and starts nothing before commit."""

import time

import pytest
from django.db import transaction

from tests.support.runs import PITCH, make_assistant, wait_until_done
from vicbot.models import Run, RunStatus
from vicbot.services.runs.offer import run_offer_tools
from vicbot.runs import start_run
from vicbot.runs import UnknownHandler


@pytest.mark.django_db
def test_it_rejects_an_unknown_completion_handler_when_the_run_starts():
    make_assistant()

    with pytest.raises(UnknownHandler, match="No completion handler is registered under 'tests.nope'"):
        start_run(assistant="tester", input=PITCH, on_complete="tests.nope")
    # A module path is not a key: runs never store code locations.
    with pytest.raises(UnknownHandler):
        start_run(assistant="tester", input=PITCH, on_complete="tests.support.handlers:record_outcome")
    assert not Run.objects.exists()


@pytest.mark.django_db
def test_it_rejects_unknown_tools_and_assistants_when_the_run_starts():
    make_assistant()

    with pytest.raises(ValueError, match="Unknown tools: no_such_tool"):
        start_run(assistant="tester", input=PITCH, tools=["no_such_tool"])
    with pytest.raises(ValueError, match="No assistant is named 'ghost'"):
        start_run(assistant="ghost", input=PITCH)


@pytest.mark.django_db
def test_it_pins_the_assistant_version_and_freezes_the_tool_definitions():
    first = make_assistant()
    make_assistant(version=2, instructions="Newer instructions")

    run = start_run(assistant="tester", input=PITCH, metadata={"pitch": 7})

    assert run.assistant.version == 2 and run.assistant != first
    assert run.metadata == {"pitch": "7"}
    # The start records the request; the worker freezes the offer at the first turn.
    assert (run.tools_requested, run.tool_definitions, run.tools_offered_at) == (None, [], None)
    run_offer_tools(run)
    make_assistant(version=3, tool_names=[])  # a later version changes nothing of a run's frozen offer
    run_offer_tools(run)
    run.refresh_from_db()
    assert [d["name"] for d in run.tool_definitions] == ["test_lookup"]
    assert run.tool_definitions[0]["strict"] is True
    assert run.tool_definitions[0]["parameters"]["additionalProperties"] is False


@pytest.mark.django_db(transaction=True)
def test_work_starts_only_after_the_surrounding_transaction_commits(celery_worker, openai_emu):
    make_assistant(tool_names=[])
    creates_before = openai_emu.create_count

    with transaction.atomic():
        run = start_run(assistant="tester", input=PITCH)
        # A message sent now would reach the worker before the row exists and be
        # dropped; the run would then wait for the tick's 60 s safety net.
        time.sleep(1.0)
        assert openai_emu.create_count == creates_before

    run = wait_until_done(run, timeout=60)
    assert run.status == RunStatus.SUCCEEDED
