"""Replays answer every tool call from a recording and reach no tool's server; flex falls back to standard."""

import json
from decimal import Decimal

import pytest

from sandbox.sample_companies import COMPANIES
from tests.support.runs import make_assistant, start_with_faults, wait_until_done
from tests.vicbot.runs.test_run_with_every_tool import pitch_for
from vicbot.models import ModelPrice, RunStatus, ToolCall
from vicbot.runs import start_run
from vicbot.services.runs.usage import price_for, tokens_cost

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("celery_worker", "default_assistant")]


def outside_requests(salesforce, pitchbook, sites) -> tuple[int, int, int]:
    return salesforce.api_calls, pitchbook.stats()["requests"]["total"], len(sites.requests)


def recorded(run) -> list[dict]:
    return [{"name": c.name, "arguments": c.arguments, "output": c.output} for c in run.tool_calls.order_by("id")]


def test_a_replay_answers_every_call_from_the_recording_and_reaches_no_tool_server(
        openai_emu, salesforce, pitchbook_emulator, sample_sites):
    company = COMPANIES[0]
    account_id = salesforce.org.insert("Account", {"Name": company.name, "Website": company.website})
    website = sample_sites.url(f"/{company.slug}/")
    metadata = {"salesforce_id": account_id, "sobject": "Account", "website": website}
    live = wait_until_done(start_run(assistant="vicbot", input=pitch_for(company, website, account_id),
                                     metadata=metadata))
    assert live.status == RunStatus.SUCCEEDED, live.error_message
    before = outside_requests(salesforce, pitchbook_emulator, sample_sites)
    openai_before = len(openai_emu.response_ids())

    replay = wait_until_done(start_run(assistant="vicbot", input=live.input, metadata=metadata,
                                       replay_calls=recorded(live)))

    assert replay.status == RunStatus.SUCCEEDED, replay.error_message
    assert outside_requests(salesforce, pitchbook_emulator, sample_sites) == before  # no Salesforce, PitchBook, web
    assert len(openai_emu.response_ids()) > openai_before  # the model alone was asked
    calls = list(replay.tool_calls.order_by("id"))
    # The write tool is never offered in a replay; every other call found its recorded answer.
    assert "salesforce_person_save" not in {d["name"] for d in replay.tool_definitions}
    assert calls and {c.replayed for c in calls} == {ToolCall.Replayed.EXACT}
    live_outputs = {c.name: c.output for c in live.tool_calls.all()}
    assert all(c.output == live_outputs[c.name] for c in calls)


def test_a_call_the_recording_lacks_is_a_miss_the_model_is_told_about(openai_emu, salesforce, pitchbook_emulator,
                                                                    sample_sites):
    company = COMPANIES[1]
    website = sample_sites.url(f"/{company.slug}/")
    # Recorded under another form of the URL (scheme, www., trailing slash): normalisation finds it.
    other_form = "HTTPS://www." + website.split("://", 1)[1].rstrip("/").upper()
    recording = [{"name": "web_scrape", "arguments": json.dumps({"url": other_form}), "output": '{"text": "recorded"}'},
                 {"name": "pitchbook_company_find", "arguments": '{"name": "Someone Else"}', "output": "{}"}]
    before = outside_requests(salesforce, pitchbook_emulator, sample_sites)

    run = wait_until_done(start_run(assistant="vicbot", tools=["web_scrape", "pitchbook_company_find"],
                                    input=pitch_for(company, website), metadata={"website": website},
                                    replay_calls=recording))

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    calls = {c.name: c for c in run.tool_calls.all()}
    assert calls["web_scrape"].replayed == ToolCall.Replayed.NORMALISED
    assert calls["web_scrape"].output == '{"text": "recorded"}'
    miss = calls["pitchbook_company_find"]
    assert (miss.replayed, miss.status) == (ToolCall.Replayed.MISS, ToolCall.Status.FAILED)
    assert "No recorded result" in miss.output
    assert outside_requests(salesforce, pitchbook_emulator, sample_sites) == before


def test_flex_is_priced_at_flex_and_falls_back_to_standard_when_flex_has_no_capacity(openai_emu):
    make_assistant(tool_names=[])
    flex = wait_until_done(start_run(assistant="tester", input="A pitch", service_tier="flex"))
    assert flex.status == RunStatus.SUCCEEDED
    assert flex.flex_input_tokens == flex.input_tokens > 0 and not flex.flex_fell_back
    price = price_for(flex.model)
    standard_cost = tokens_cost(price, input_tokens=flex.input_tokens, cached_input_tokens=flex.cached_input_tokens,
                                output_tokens=flex.output_tokens)
    assert flex.cost_usd == tokens_cost(price, input_tokens=flex.input_tokens,
                                        cached_input_tokens=flex.cached_input_tokens,
                                        output_tokens=flex.output_tokens, flex=True) < standard_cost

    fallback = wait_until_done(start_with_faults(openai_emu, [("create", {
        "tier": "flex", "status": 429, "code": "resource_unavailable", "times": None})],
        input="Another pitch", service_tier="flex"))

    assert fallback.status == RunStatus.SUCCEEDED, fallback.error_message
    assert fallback.flex_fell_back and fallback.flex_input_tokens == 0
    assert openai_emu.get_response(fallback.response_ids[-1])["service_tier"] == "default"
    assert fallback.cost_usd == tokens_cost(price, input_tokens=fallback.input_tokens,
                                            cached_input_tokens=fallback.cached_input_tokens,
                                            output_tokens=fallback.output_tokens)
    assert ModelPrice.objects.filter(model=price.model).exists() and Decimal(0) < fallback.cost_usd
