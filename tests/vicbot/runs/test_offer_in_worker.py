"""Every run is built in the worker: what it offers comes from the worker's settings, whoever asked for it."""

import pytest

from tests.conftest import wait_for
from tests.support.runs import make_assistant, start_with_faults, wait_until_done
from tools.registry import registry
from vicbot.models import Run, RunStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]

TOOLS = ["pitchbook_company_find", "pitchbook_person_find", "test_lookup"]


def offered(run) -> list[str]:
    return [definition["name"] for definition in run.tool_definitions]


def test_a_rerun_from_the_admin_offers_the_tools_the_worker_has_though_the_web_process_lacks_their_settings(
        openai_emu, pitchbook_emulator, operator, settings):
    make_assistant(tool_names=TOOLS)
    settings.PITCHBOOK_API_KEY = ""  # this process, the web's, has no PitchBook key; the worker has one
    assert [tool.name for tool in registry().offered(TOOLS, allow_writes=False)] == ["test_lookup"]

    first = wait_until_done(start_with_faults(openai_emu, []), timeout=60)
    assert first.status == RunStatus.SUCCEEDED and offered(first) == TOOLS

    operator.post("/admin/vicbot/run/", {"action": "rerun_runs", "_selected_action": [first.pk]}, secure=True)

    rerun = wait_until_done(wait_for(lambda: Run.objects.exclude(pk=first.pk).first(), message="the re-run"),
                            timeout=60)
    assert rerun.metadata["rerun_of"] == str(first.pk) and offered(rerun) == TOOLS
    sent = [body for method, path, body, _ in openai_emu.requests
            if method == "POST" and path.endswith("/responses") and body["metadata"]["vicbot_run"] == str(rerun.pk)]
    assert sent and all([tool["name"] for tool in body["tools"]] == TOOLS for body in sent)
