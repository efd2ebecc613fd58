"""A model that fans out gets only so many tool calls run: per turn, per run, and PitchBook credits per run.

Through the real worker; the emulated model asks for exactly the calls the test scripts.
"""

import json
import math

import pytest

from tests.support.runs import make_assistant, start_with_faults, wait_until_done
from vicbot.models import RunStatus, ToolCall
from vicbot.selectors import runs_ended_per_day

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]


def lookups(count: int, turn: int = 1) -> list[dict]:
    return [{"name": "test_lookup", "arguments": json.dumps({"company_name": f"Company {turn}.{n}"})}
            for n in range(count)]


def outputs_sent(emulator, run) -> dict[str, str]:
    """call_id -> output of every function_call_output the run sent to the model."""
    return {item["call_id"]: item["output"]
            for method, path, body, _ in emulator.requests
            if method == "POST" and path.endswith("/responses") and body["metadata"]["vicbot_run"] == str(run.pk)
            for item in body["input"] if isinstance(item, dict) and item.get("type") == "function_call_output"}


def error_of(call: ToolCall) -> dict:
    return json.loads(call.output)["error"]


def test_a_turn_asking_for_twenty_calls_runs_only_the_per_turn_limit(openai_emu, settings):
    per_turn = settings.VICBOT_MAX_TOOL_CALLS_PER_TURN
    asked = lookups(20)
    make_assistant(tool_names=["test_lookup"])

    run = wait_until_done(start_with_faults(openai_emu, [("create", {"outcome": "call_tools", "calls": asked})]))

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    calls = list(run.tool_calls.order_by("id"))
    assert [c.arguments for c in calls] == [a["arguments"] for a in asked]
    ran, refused = calls[:per_turn], calls[per_turn:]
    assert {c.status for c in ran} == {ToolCall.Status.SUCCEEDED}
    assert {c.status for c in refused} == {ToolCall.Status.REFUSED} and len(refused) == 20 - per_turn
    for call in refused:
        assert error_of(call)["type"] == "tool_call_limit"
        assert f"at most {per_turn} are run per turn" in error_of(call)["message"]
        assert call.error.startswith("tool_call_limit: Not run") and call.finished_at and call.attempts == 0
    # Every call_id was answered, and the model read why the refused ones were not run.
    sent = outputs_sent(openai_emu, run)
    assert set(sent) == {c.call_id for c in calls}
    assert all("tool_call_limit" in sent[c.call_id] for c in refused)
    assert all(json.loads(sent[c.call_id])["run"] == run.pk for c in ran)


def test_a_run_gets_no_more_calls_than_the_per_run_limit(openai_emu, settings):
    per_turn, per_run = settings.VICBOT_MAX_TOOL_CALLS_PER_TURN, settings.VICBOT_MAX_TOOL_CALLS_PER_RUN
    # Two calls more than a turn may run, for one turn more than the run's limit needs.
    turns = math.ceil(per_run / per_turn) + 1
    asked = [lookups(per_turn + 2, turn) for turn in range(1, turns + 1)]
    make_assistant(tool_names=["test_lookup"], max_turns=turns + 2)

    run = wait_until_done(start_with_faults(
        openai_emu, [("create", {"outcome": "call_tools", "calls": calls}) for calls in asked]), timeout=60)

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert run.turn == turns + 1  # every scripted turn, then the answer
    calls = list(run.tool_calls.order_by("id"))
    assert len(calls) == sum(map(len, asked))
    ran = [c for c in calls if c.status == ToolCall.Status.SUCCEEDED]
    assert len(ran) == per_run
    refused = [c for c in calls if c.status == ToolCall.Status.REFUSED]
    assert len(refused) == len(calls) - per_run
    over_the_run = [c for c in refused if f"reached its limit of {per_run} tool calls" in error_of(c)["message"]]
    assert {c.turn for c in over_the_run} >= {turns}  # the last scripted turn ran nothing at all
    assert run.tool_calls.filter(turn=turns).exclude(status=ToolCall.Status.REFUSED).count() == 0
    assert set(outputs_sent(openai_emu, run)) == {c.call_id for c in calls}


def test_pitchbook_lookups_stop_at_the_runs_credit_limit_across_turns(openai_emu, pitchbook_emulator, settings):
    limit = settings.VICBOT_MAX_PITCHBOOK_CREDITS_PER_RUN
    assert limit == 12, "the credits below are counted for the default limit"
    # A company lookup with both extras costs 4 (website search, bio, financing, investors) and may cost 5;
    # a person lookup by exact name at a company costs 2 and may cost 3.
    company = {"name": "pitchbook_company_find", "arguments": json.dumps(
        {"name": "Kestrel Health", "website": "https://kestrelhealth.example", "include": ["financing", "investors"]})}
    person = {"name": "pitchbook_person_find", "arguments": json.dumps(
        {"person_name": "Priya Raman", "company": "ledgerleaf.example"})}
    make_assistant(tool_names=["pitchbook_company_find", "pitchbook_person_find"])
    before = pitchbook_emulator.stats()["credits"]["total"]

    run = wait_until_done(start_with_faults(openai_emu, [
        ("create", {"outcome": "call_tools", "calls": [company] * 5}),
        ("create", {"outcome": "call_tools", "calls": [person] * 2}),
    ]), timeout=60)

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    first = list(run.tool_calls.filter(turn=1))
    # Side by side: two lookups fit (5 + 5 set aside, 4 + 4 spent); a third could pass 12.
    assert sorted(c.status for c in first) == ["failed"] * 3 + ["succeeded"] * 2
    assert all(c.usage == {"pitchbook_credits": 4} for c in first if c.status == "succeeded")
    # The next turn starts from the 8 the rows recorded: one person lookup fits (8 + 3), the other not.
    second = list(run.tool_calls.filter(turn=2))
    assert sorted(c.status for c in second) == ["failed", "succeeded"]
    for call in [c for c in first + second if c.status == "failed"]:
        assert "PitchBook credit limit" in call.output and call.usage == {} and not call.systemic_error
    assert run.tool_usage == {"pitchbook_credits": 10}
    assert pitchbook_emulator.stats()["credits"]["total"] - before == 10 <= limit


def test_parallel_calls_each_record_only_what_they_spent_and_the_run_totals_what_pitchbook_charged(
        openai_emu, pitchbook_emulator):
    company = {"name": "pitchbook_company_find", "arguments": json.dumps(
        {"name": "Kestrel Health", "website": "https://kestrelhealth.example", "include": ["financing", "investors"]})}
    person = {"name": "pitchbook_person_find", "arguments": json.dumps(
        {"person_name": "Priya Raman", "company": "ledgerleaf.example"})}
    make_assistant(tool_names=["pitchbook_company_find", "pitchbook_person_find", "test_lookup"])
    before = pitchbook_emulator.stats()["credits"]["total"]

    # One turn, side by side: two lookups that spend and three calls that spend nothing.
    run = wait_until_done(start_with_faults(openai_emu, [
        ("create", {"outcome": "call_tools", "calls": [company, person, *lookups(3)]}),
    ]), timeout=60)

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    charged = pitchbook_emulator.stats()["credits"]["total"] - before
    spent = {c.name: c.usage for c in run.tool_calls.all()}
    assert spent == {"pitchbook_company_find": {"pitchbook_credits": json.loads(
        run.tool_calls.get(name="pitchbook_company_find").output)["credits_spent"]},
        "pitchbook_person_find": {"pitchbook_credits": json.loads(
            run.tool_calls.get(name="pitchbook_person_find").output)["credits_spent"]},
        "test_lookup": {}}
    assert all(c.usage == {} for c in run.tool_calls.filter(name="test_lookup"))
    assert run.tool_usage == {"pitchbook_credits": charged} and charged >= 4 + 2 and not run.tool_usage_unknown
    assert sum(day.credits for day in runs_ended_per_day(run.created_at).values()) == charged  # the dashboard's figure
