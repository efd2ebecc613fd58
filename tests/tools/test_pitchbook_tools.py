"""The PitchBook tools, called as the model calls them, against the emulator."""

from __future__ import annotations

import json

import pytest

from integrations.pitchbook.emulator import PitchBookEmulator
from tools.base import ToolContext, ToolResult, invoke
from tools.pitchbook import TOOLS

TOOL = {tool.name: tool for tool in TOOLS}


@pytest.fixture
def emulator(settings):
    with PitchBookEmulator(api_key="tool-test-key") as running:
        settings.PITCHBOOK_API_URL = running.base_url
        settings.PITCHBOOK_API_KEY = running.api_key
        settings.PITCHBOOK_TIMEOUT = 5
        yield running


def run(tool: str, /, **arguments) -> ToolResult:
    return invoke(TOOL[tool], json.dumps(arguments), ToolContext(run_id=1), max_chars=20_000)


def call(tool: str, /, **arguments) -> dict:
    result = run(tool, **arguments)
    assert result.ok, result.output
    return json.loads(result.output)


def test_the_tools_are_offered_only_when_a_key_is_configured(settings):
    settings.PITCHBOOK_API_KEY = ""
    assert not any(tool.is_available() for tool in TOOLS)
    settings.PITCHBOOK_API_KEY = "key"
    assert all(tool.is_available() for tool in TOOLS)
    assert all(tool.openai_definition()["strict"] for tool in TOOLS)


def test_company_find_returns_the_best_match_with_funding_facts(emulator):
    found = call("pitchbook_company_find", name="Kestrel Health", website=None)
    best = found["best_match"]
    assert best["name"] == "Kestrel Health" and best["pitchbook_id"] == emulator.company_id_of(
        "Kestrel Health"
    )
    assert best["total_raised"] == "USD 62.0M"
    assert best["last_financing"] == {"date": "2023-07-25", "type": "Series B", "size": "USD 35.0M"}
    assert best["employees"] == 120 and best["founded"] == 2018 and best["hq"] == "Boston, United States"
    assert "Meridian Health Ventures" in best["investors"]
    assert found["other_matches"] == []


def test_company_find_by_website(emulator):
    found = call("pitchbook_company_find", name=None, website="zurich-quantum.example")
    assert found["best_match"]["name"] == "Zürich Quantum AG"


def test_company_find_prefers_an_exact_name_and_lists_the_others(emulator):
    found = call("pitchbook_company_find", name="meridian rentals", website=None)
    assert found["best_match"]["name"] == "Meridian Rentals"
    found = call("pitchbook_company_find", name="er", website=None)
    assert len(found["other_matches"]) == 4
    assert set(found["other_matches"][0]) <= {"company_id", "name", "website", "hq_location"}


def test_company_find_says_so_when_nothing_matches(emulator):
    found = call("pitchbook_company_find", name="No Such Startup", website=None)
    assert found["best_match"] is None and "no matching company" in found["note"]


def test_company_find_needs_a_name_or_a_website(emulator):
    result = run("pitchbook_company_find", name=" ", website=None)
    assert not result.ok and json.loads(result.output)["error"]["type"] == "invalid_arguments"


def test_person_find_narrowed_to_a_company(emulator):
    found = call("pitchbook_person_find", name="O'Brien", company_name="O'Brien & Daughters Robotics")
    assert [p["name"] for p in found["people"]] == ["Niamh O'Brien", "Aoife O'Brien", "Declan O'Brien"]
    assert found["people"][0]["title"] == "CEO"
    assert found["people"][0]["company"] == "O'Brien & Daughters Robotics"


def test_person_find_says_when_the_name_matches_but_not_at_that_company(emulator):
    found = call("pitchbook_person_find", name="Lena Hartmann", company_name="Ledgerleaf")
    assert found["people"] == [] and "none at a company matching 'Ledgerleaf'" in found["note"]


def test_person_find_without_a_company(emulator):
    found = call("pitchbook_person_find", name="Priya Raman", company_name=None)
    assert [(p["name"], p["company"]) for p in found["people"]] == [("Priya Raman", "Ledgerleaf")]


@pytest.mark.parametrize("fault, code", [("unauthorized", "unauthorized"), ("quota", "quota_exceeded")])
def test_pitchbook_failures_come_back_as_clear_tool_errors(emulator, fault, code):
    emulator.faults.add(fault)
    result = run("pitchbook_company_find", name="Ledgerleaf", website=None)
    assert not result.ok
    message = json.loads(result.output)["error"]["message"]
    assert message.startswith(f"PitchBook {code}: ") and "will not help" in message
