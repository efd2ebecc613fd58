"""Each turn's tokens and times are kept on the run as OpenAI reported them, and the run page shows them."""

import pytest

from integrations.openai.client import get_client
from tests.console.support import staff_user
from tests.support.runs import PITCH, make_assistant, start_with_faults, wait_until_done
from vicbot.models import ModelPrice, RunStatus
from vicbot.runs import start_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]

TOTALS = ("input_tokens", "cached_input_tokens", "output_tokens", "reasoning_tokens")


def reported(response_id: str) -> dict:
    """The response's usage as the emulator reports it to any client."""
    response = get_client().responses.retrieve(response_id)
    usage = response.usage
    return {"input_tokens": usage.input_tokens, "cached_input_tokens": usage.input_tokens_details.cached_tokens,
            "output_tokens": usage.output_tokens, "reasoning_tokens": usage.output_tokens_details.reasoning_tokens,
            "created_at": response.created_at, "completed_at": response.completed_at}


def test_each_turn_keeps_its_own_tokens_and_times_which_sum_to_the_run_and_show_on_its_page(openai_emu, settings,
                                                                                            client):
    make_assistant(tool_names=["test_lookup", "test_chatter"])
    ModelPrice.objects.update_or_create(model=settings.OPENAI_MODEL, defaults={
        "input_per_million": 1, "cached_input_per_million": 0, "output_per_million": 10})

    run = wait_until_done(start_run(assistant="tester", input=PITCH))

    assert run.status == RunStatus.SUCCEEDED and run.turn == 2 and run.tool_calls.count() == 2
    entries = run.turn_usage
    assert [(e["turn"], e["response_id"]) for e in entries] == [(1, run.response_ids[0]), (2, run.response_ids[1])]
    for entry in entries:
        truth = reported(entry["response_id"])
        assert {key: entry[key] for key in TOTALS} == {key: truth[key] for key in TOTALS}
        assert (entry["created_at"], entry["ended_at"]) == (truth["created_at"], truth["completed_at"])
        assert entry["tier"] == "default"
    assert all(entries[0][key] > 0 for key in ("input_tokens", "output_tokens"))
    for key in TOTALS:
        assert sum(e[key] for e in entries) == getattr(run, key), key

    client.force_login(staff_user("vicbot.view_run", "vicbot.view_assistant"))
    html = client.get(f"/admin/vicbot/run/{run.pk}/change/", secure=True).content.decode()
    for entry in entries:
        cost = (entry["input_tokens"] - entry["cached_input_tokens"] + 10 * entry["output_tokens"]) / 1_000_000
        assert (f'{entry["input_tokens"]:,} in ({entry["cached_input_tokens"]:,} cached) · '
                f'{entry["output_tokens"]:,} out') in html
        assert f"${cost:.4f}" in html or f"${cost:.6f}" in html
    assert "were not recorded" not in html


def test_an_incomplete_turn_that_ends_the_run_is_recorded_too(openai_emu):
    make_assistant(tool_names=[])

    run = wait_until_done(start_with_faults(openai_emu, [("create", {"outcome": "incomplete"})]))

    assert run.status == RunStatus.FAILED and run.error_code.startswith("incomplete")
    (entry,) = run.turn_usage
    truth = reported(run.response_ids[0])
    assert entry["response_id"] == run.response_ids[0] and entry["output_tokens"] == truth["output_tokens"] > 0
    assert (run.input_tokens, run.output_tokens) == (entry["input_tokens"], entry["output_tokens"])
