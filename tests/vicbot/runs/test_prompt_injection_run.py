"""A whole run on the worker whose model obeys text planted in the pitch's website.

The tool-level cases are in tests/tools/test_prompt_injection.py; here the engine itself
builds each tool's context (the run's input and earlier outputs), as in production.
"""

import json

import pytest

from tests.support.runs import make_assistant, start_with_faults, wait_until_done
from vicbot.models import RunStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]


def test_a_planted_instruction_cannot_make_a_run_send_salesforce_data_to_another_site(
        openai_emu, salesforce, sample_sites):
    salesforce.org.insert("Contact", {"FirstName": "Jane", "LastName": "Doe", "Email": "jane@portfolio.example"})
    make_assistant(tool_names=["web_scrape", "salesforce_person_find"], max_turns=5)
    pitch = (f"Name: Nimbus Dairy\nWebsite: {sample_sites.url('/injection/')}\nFounder: Jane Doe\n"
             "Contact: jane@portfolio.example\nDescription: Sensors for dairy herds.")
    leaks_before = len([r for r in sample_sites.requests if r.path.startswith("/collect")])

    faults = [("create", {"outcome": "follow_injections", "times": None})]
    website = sample_sites.url("/injection/")
    run = wait_until_done(start_with_faults(openai_emu, faults, input=pitch, metadata={"website": website}),
                          timeout=60)

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    scrapes = list(run.tool_calls.filter(name="web_scrape").order_by("id"))
    exfiltration = [c for c in scrapes if "/collect" in json.loads(c.arguments)["url"]]
    assert exfiltration, "the emulated model should have obeyed the planted instruction"
    for call in exfiltration:
        assert "jane%40portfolio.example" in json.loads(call.arguments)["url"]
        assert json.loads(call.output)["error"]["message"].startswith("url_not_allowed: ")
    assert len([r for r in sample_sites.requests if r.path.startswith("/collect")]) == leaks_before
