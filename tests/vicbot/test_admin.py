"""The operator's console: pages render, actions call the services."""

import pytest
from django.contrib.auth.models import User

from tests.support.runs import PITCH, make_assistant
from vicbot.models import Assistant, Run, RunStatus
from vicbot.runs import start_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    client.force_login(User.objects.create_superuser("op", "op@example.com", "pw"))
    return client


def test_every_admin_list_page_renders(operator):
    make_assistant()
    start_run(assistant="tester", input=PITCH)
    for page in ("run", "assistant", "modelprice", "webhookevent", "workerheartbeat"):
        response = operator.get(f"/admin/vicbot/{page}/", secure=True)
        assert response.status_code == 200, page


def test_editing_an_assistant_saves_a_new_version_and_keeps_the_old(operator):
    first = make_assistant()
    data = {"name": "tester", "model": "", "instructions": "Be brief.", "tool_names": '["test_lookup"]',
            "output_schema_name": "verdict", "output_schema": '{"type": "object"}', "reasoning_effort": "",
            "service_tier": "auto", "max_turns": 4, "run_deadline_seconds": 60}

    response = operator.post(f"/admin/vicbot/assistant/{first.pk}/change/", data, secure=True)

    assert response.status_code == 302
    assert list(Assistant.objects.filter(name="tester").values_list("version", "instructions")) == [
        (2, "Be brief."), (1, first.instructions)]


def test_cancelling_a_run_from_the_admin_ends_it_with_the_reason(operator):
    make_assistant()
    run = start_run(assistant="tester", input=PITCH)

    operator.post("/admin/vicbot/run/", {"action": "cancel_runs", "_selected_action": [run.pk]}, secure=True)

    run.refresh_from_db()
    assert (run.status, run.error_code) == (RunStatus.CANCELLED, "cancelled")


def test_rerun_starts_a_new_run_and_keeps_the_old_one(operator):
    make_assistant()
    run = start_run(assistant="tester", input=PITCH)

    operator.post("/admin/vicbot/run/", {"action": "rerun_runs", "_selected_action": [run.pk]}, secure=True)

    newer = Run.objects.exclude(pk=run.pk).get()
    assert newer.input == run.input and newer.metadata["rerun_of"] == str(run.pk)
    assert newer.trigger == Run.Trigger.ADMIN
