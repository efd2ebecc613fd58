"""The PitchBook tools, called as the model calls them, against the emulator."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from integrations.pitchbook import reset_client
from sandbox.emulators.pitchbook import PitchBookEmulator
from tools.base import ToolContext, ToolResult, invoke
from tools.pitchbook import TOOLS
from tools.run_usage import RunUsage

TOOL = {tool.name: tool for tool in TOOLS}


@pytest.fixture
def emulator(settings):
    with PitchBookEmulator(api_key="tool-test-key") as running:
        settings.PITCHBOOK_API_URL = running.base_url
        settings.PITCHBOOK_API_KEY = running.api_key
        settings.PITCHBOOK_TIMEOUT = 5
        yield running
    reset_client()


def run(tool: str, /, **arguments) -> ToolResult:
    return invoke(TOOL[tool], json.dumps(arguments), ToolContext(run_id=1), max_chars=20_000)


def call(tool: str, /, **arguments) -> tuple[dict, int]:
    result = run(tool, **arguments)
    assert result.ok, result.output
    return json.loads(result.output), result.usage.get("pitchbook_credits", 0)


def company(name=None, website=None, include=()):
    return call("pitchbook_company_find", name=name, website=website, include=list(include))


def test_the_tools_are_offered_only_when_a_key_is_configured(settings):
    settings.PITCHBOOK_API_KEY = ""
    assert not any(tool.is_available() for tool in TOOLS)
    settings.PITCHBOOK_API_KEY = "key"
    assert all(tool.is_available() for tool in TOOLS)
    assert all(tool.openai_definition()["strict"] for tool in TOOLS)


def test_company_find_tries_the_websites_registrable_domain_first_then_reads_the_bio(emulator):
    found, credits = company(name="Some Other Name", website="https://shop.www.kestrelhealth.example/pricing")
    assert found["pitchbook_id"] == emulator.company_id_of("Kestrel Health")
    assert found["matched_by"] == "website (kestrelhealth.example)"
    bio = found["company"]
    assert (bio["name"], bio["employees"], bio["founded"], bio["hq"]) == ("Kestrel Health", 120, 2018, "Boston, United States")
    assert bio["total_raised"] == "USD 62.0M"
    assert "most_recent_financing" not in found and "investors" not in found
    searched = [r.params for r in emulator.requests if r.path == "/companies/search"]
    assert searched == [{"companyNames": "kestrelhealth.example", "perPage": "10"}]
    assert credits == found["credits_spent"] == 2  # one search + one bio
    assert emulator.stats()["credits"]["total"] == 2


def test_company_find_gives_financing_and_investors_only_when_asked(emulator):
    found, credits = company(name="Kestrel Health", website="kestrelhealth.example", include=["financing", "investors"])
    assert found["most_recent_financing"] == {
        "deal_id": found["most_recent_financing"]["deal_id"], "date": "2023-07-25",
        "type": "Later Stage VC / Series B", "status": "Completed", "size": "USD 35.0M",
    }
    assert found["investors"]["count"] == len(found["investors"]["list"])
    assert "Meridian Health Ventures" in {i["name"] for i in found["investors"]["list"]}
    assert credits == 4 == emulator.stats()["credits"]["total"]


def test_company_find_falls_back_to_the_name_when_the_website_is_unknown(emulator):
    found, credits = company(name="zurich quantum", website="http://127.0.0.1:9/landing")
    assert found["company"]["name"] == "Zürich Quantum AG" and found["matched_by"] == "name"
    assert [r.path for r in emulator.requests] == ["/search", f"/companies/{found['pitchbook_id']}/bio"]
    assert credits == 2


def test_company_find_prefers_an_exact_name_and_lists_the_others(emulator):
    found, _ = company(name="meridian rentals")
    assert found["company"]["name"] == "Meridian Rentals" and "other_matches" not in found
    found, _ = company(name="er")
    assert len(found["other_matches"]) == 4
    assert all(set(m) == {"pitchbook_id", "name", "website"} for m in found["other_matches"])


def test_company_find_says_so_when_nothing_matches(emulator):
    found, credits = company(name="No Such Startup", website="https://nosuchstartup.example")
    assert found["company"] is None and "no matching company" in found["note"]
    assert credits == 2  # the website search and the name search


def test_company_find_needs_a_name_or_a_website(emulator):
    result = run("pitchbook_company_find", name=" ", website=None, include=[])
    assert not result.ok and json.loads(result.output)["error"]["type"] == "invalid_arguments"
    result = run("pitchbook_company_find", name="Ledgerleaf", website=None, include=["valuation"])
    assert not result.ok and emulator.requests == []


def test_company_output_is_bounded(emulator):
    result = run("pitchbook_company_find", name="Kestrel Health", website=None, include=["financing", "investors"])
    assert result.ok and len(result.output) < 2_500


def test_person_find_by_exact_name_at_a_company_website(emulator):
    found, credits = call("pitchbook_person_find", person_name="Priya Raman", company="https://www.ledgerleaf.example/team")
    assert found["pitchbook_id"] == emulator.person_id_of("Priya Raman")
    assert found["person"]["position"] == "CEO" and found["person"]["company"] == "Ledgerleaf"
    assert found["person"]["company_pitchbook_id"] == emulator.company_id_of("Ledgerleaf")
    assert emulator.requests[0].params == {"personNames": "Priya Raman", "firmNames": "ledgerleaf.example", "perPage": "10"}
    assert credits == 2


def test_person_find_by_partial_name_narrowed_to_a_company(emulator):
    found, credits = call("pitchbook_person_find", person_name="O'Brien", company="O'Brien & Daughters Robotics")
    names = [found["person"]["name"], *(m["name"] for m in found["other_matches"])]
    assert names == ["Niamh O'Brien", "Aoife O'Brien", "Declan O'Brien"]
    assert found["matched_by"] == "partial name and company" and credits == 3


def test_person_find_says_when_the_name_matches_but_not_at_that_company(emulator):
    found, credits = call("pitchbook_person_find", person_name="Lena Hartmann", company="Ledgerleaf")
    assert found["person"] is None and "none at a company matching 'Ledgerleaf'" in found["note"]
    assert credits == 2  # two searches, no bio


def test_person_find_without_a_company(emulator):
    found, _ = call("pitchbook_person_find", person_name="Priya Raman", company=None)
    assert (found["person"]["name"], found["person"]["company"]) == ("Priya Raman", "Ledgerleaf")


@pytest.mark.parametrize(
    "fault, code, advice",
    [
        ("unauthorized", "unauthorized", "will not help"),
        ("payment_required", "credits_exhausted", "Do not call PitchBook tools again"),
        ("forbidden", "forbidden", "will not help"),
    ],
)
def test_pitchbook_failures_come_back_as_clear_tool_errors(emulator, fault, code, advice):
    emulator.faults.add(fault)
    result = run("pitchbook_company_find", name="Ledgerleaf", website=None, include=[])
    assert not result.ok
    message = json.loads(result.output)["error"]["message"]
    assert message.startswith(f"PitchBook {code}: ") and advice in message
    assert emulator.api_key not in message


def test_credits_spent_before_a_failure_are_still_counted(emulator):
    emulator.faults.add("payment_required", match="/bio")
    result = run("pitchbook_company_find", name="Ledgerleaf", website="ledgerleaf.example", include=[])
    assert not result.ok and "credits_exhausted" in result.error
    assert result.usage == {"pitchbook_credits": 1} and emulator.stats()["credits"]["total"] == 1


def test_a_lookup_that_could_take_the_run_past_its_credit_limit_is_refused_unmade(emulator, settings):
    settings.VICBOT_MAX_PITCHBOOK_CREDITS_PER_RUN = 12
    spent = RunUsage({"pitchbook_credits": 9})  # what the run's earlier calls recorded
    context = ToolContext(run_id=1, run_usage=spent)
    arguments = {"name": "Kestrel Health", "website": "kestrelhealth.example", "include": ["financing"]}

    refused = invoke(TOOL["pitchbook_company_find"], json.dumps(arguments), context, max_chars=20_000)

    assert not refused.ok and refused.usage == {} and not refused.systemic
    message = json.loads(refused.output)["error"]["message"]
    assert message.startswith("PitchBook credit limit: this run may spend at most 12 PitchBook credits, 9 are spent")
    assert "could cost up to 4" in message and emulator.requests == []
    # Without the extra it could cost 3: that still fits, and what it did not use is given back.
    plain = invoke(TOOL["pitchbook_company_find"], json.dumps({**arguments, "include": []}), context, max_chars=20_000)
    assert plain.ok and plain.usage == {"pitchbook_credits": 2}
    assert spent.in_use("pitchbook_credits") == 11


def test_lookups_side_by_side_never_take_a_run_past_its_credit_limit(emulator, settings):
    settings.VICBOT_MAX_PITCHBOOK_CREDITS_PER_RUN = 12
    # One context for all, as the engine gives a turn's calls running in threads side by side.
    context = ToolContext(run_id=1)
    arguments = json.dumps({"name": "Kestrel Health", "website": "kestrelhealth.example", "include": ["financing"]})
    tool = TOOL["pitchbook_company_find"]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: invoke(tool, arguments, context, max_chars=20_000), range(8)))

    # Each may cost 4 and costs 3: whatever the order, three fit in 12 and a fourth never does.
    assert sorted(r.ok for r in results) == [False] * 5 + [True] * 3
    # Each call's usage is its own, not its neighbours' too.
    assert [r.usage for r in results if r.ok] == [{"pitchbook_credits": 3}] * 3
    assert all(r.usage == {} and "PitchBook credit limit" in r.output for r in results if not r.ok)
    assert emulator.stats()["credits"]["total"] == 9 == context.run_usage.in_use("pitchbook_credits")
