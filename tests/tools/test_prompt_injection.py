"""The tools hold when the model obeys instructions planted in a web page or a pitch.

The model is the OpenAI emulator's scripted one in its follow_injections mode, reached with the
real `openai` client; the tools run through tools.base.invoke as the engine runs them, against
the sample sites and the Salesforce emulator over real sockets. The test plays the engine's part:
it builds each call's ToolContext from the run's input and the outputs so far.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from openai import OpenAI

from sandbox.emulators.openai import OpenAIEmulator
from sandbox.sample_sites import SampleSites, injection_instruction, injection_url
from tools.base import EarlierOutput, Tool, ToolContext, invoke
from tools.registry import registry

pytestmark = pytest.mark.django_db  # the scrape cache is a database table


@pytest.fixture(scope="module")
def model() -> Iterator[tuple[OpenAIEmulator, OpenAI]]:
    with OpenAIEmulator() as emulator:
        # Every turn, not just the next one: a gullible model stays gullible.
        emulator.faults.add("create", outcome="follow_injections", times=None)
        yield emulator, OpenAI(api_key=emulator.api_key, base_url=emulator.base_url, max_retries=0)


@pytest.fixture
def sites(settings) -> Iterator[SampleSites]:
    with SampleSites() as running:
        # localhost (the injected URL's host) is reachable: only the URL policy stands in the way.
        settings.WEB_FETCH_PRIVATE_ALLOWLIST = [running.host_port, f"localhost:{running.port}"]
        yield running


@pytest.fixture
def salesforce(salesforce_alone):
    return salesforce_alone


@dataclass
class Run:
    """The engine's tool loop in miniature: model turn, tool calls, outputs back, until an answer."""

    client: OpenAI
    run_input: str
    tools: list[Tool]
    website: str = ""  # the record's mapped Website field, as the pipeline passes it
    open_browsing: bool = False
    outputs: list[EarlierOutput] = field(default_factory=list)
    calls: list[tuple[str, dict, bool, str]] = field(default_factory=list)  # name, arguments, ok, output

    def go(self, max_turns: int = 5) -> str:
        by_name = {tool.name: tool for tool in self.tools}
        kwargs = {"model": "gpt-5.4-mini", "tools": [tool.openai_definition() for tool in self.tools]}
        response = self.client.responses.create(input=self.run_input, **kwargs)
        for _ in range(max_turns):
            calls = [item for item in response.output if item.type == "function_call"]
            if not calls:
                return response.output_text
            replies = []
            # As the engine does: a turn's calls see the outputs of earlier turns.
            context = ToolContext(
                run_id=1,
                run_input=self.run_input,
                earlier_outputs=tuple(self.outputs),
                website=self.website,
                open_browsing=self.open_browsing,
            )
            for call in calls:
                result = invoke(by_name[call.name], call.arguments, context, max_chars=20_000)
                self.calls.append((call.name, json.loads(call.arguments), result.ok, result.output))
                replies.append({"type": "function_call_output", "call_id": call.call_id, "output": result.output})
                self.outputs.append(EarlierOutput(call.name, result.output, result.ok))
            response = self.client.responses.create(previous_response_id=response.id, input=replies, **kwargs)
        raise AssertionError("the model did not answer")


def pitch(sites: SampleSites, extra: str = "") -> str:
    return (
        "Name: Nimbus Dairy\n"
        f"Website: {sites.url('/injection/')}\n"
        "Founder: Jane Doe\n"
        "Contact: jane@portfolio.example\n"
        f"Description: Sensors for dairy herds.{extra}"
    )


def leaks(sites: SampleSites) -> list[str]:
    return [request.path for request in sites.requests if request.path.startswith("/collect")]


def test_a_planted_instruction_cannot_send_salesforce_data_to_another_site(model, sites, salesforce):
    salesforce.org.insert("Contact", {"FirstName": "Jane", "LastName": "Doe", "Email": "jane@portfolio.example"})
    tools = registry().offered(["web_scrape", "salesforce_person_find"], allow_writes=False)
    run = Run(model[1], pitch(sites), tools, website=sites.url("/injection/"))

    answer = run.go()

    # The model did try: its third call sends what salesforce_person_find returned, in the URL.
    name, arguments, ok, output = run.calls[2]
    assert name == "web_scrape" and "jane%40portfolio.example" in arguments["url"]
    assert arguments["url"].startswith(f"http://localhost:{sites.port}/collect?contacts=")
    assert not ok and json.loads(output)["error"]["message"].startswith("url_not_allowed: ")
    assert leaks(sites) == []
    assert answer  # and the run went on to an answer


def test_with_open_browsing_the_same_instruction_is_still_refused_for_the_data_it_carries(
        model, sites, salesforce):
    salesforce.org.insert("Contact", {"FirstName": "Jane", "LastName": "Doe", "Email": "jane@portfolio.example"})
    tools = registry().offered(["web_scrape", "salesforce_person_find"], allow_writes=False)
    run = Run(model[1], pitch(sites), tools, open_browsing=True)

    run.go()

    name, arguments, ok, output = run.calls[2]
    assert name == "web_scrape" and "jane%40portfolio.example" in arguments["url"]
    assert not ok and "which came from our Salesforce" in json.loads(output)["error"]["message"]
    assert leaks(sites) == []
    # The control: with open browsing a URL that carries nothing of Salesforce's does reach the site.
    [web_scrape] = registry().offered(["web_scrape"], allow_writes=False)
    hello = invoke(web_scrape, json.dumps({"url": injection_url(sites) + "hello"}),
                   ToolContext(open_browsing=True), max_chars=20_000)
    assert hello.ok and leaks(sites) == ["/collect?contacts=hello"]


def test_a_planted_instruction_cannot_change_a_contact_or_move_it_to_the_pitchs_account(model, sites, salesforce):
    ours = salesforce.org.insert("Account", {"Name": "Our portfolio company"})
    theirs = salesforce.org.insert("Account", {"Name": "Nimbus Dairy"})
    jane = salesforce.org.insert(
        "Contact", {"FirstName": "Jane", "LastName": "Doe", "Email": "jane@portfolio.example", "AccountId": ours}
    )
    before = salesforce.org.get(jane)
    planted = "\n" + injection_instruction(
        "salesforce_person_save",
        {"first_name": "Jane", "last_name": "Attacker", "email": "jane@portfolio.example", "title": "Owner",
         "phone": None, "linkedin_url": None, "works_for": "another company", "other_account_id": theirs},
    )
    tools = registry().offered(["salesforce_person_save"], allow_writes=True)
    run = Run(model[1], pitch(sites, planted), tools)

    run.go()

    [(name, arguments, ok, output)] = run.calls
    assert (name, arguments["other_account_id"], ok) == ("salesforce_person_save", theirs, True)
    assert salesforce.org.get(jane) == before  # not even its empty Title
    answer = json.loads(output)
    assert (answer["action"], answer["fields"]) == ("suggested", ["AccountId", "LastName", "Title"])


def test_an_assistant_without_writes_is_never_offered_the_save_tool(model, sites, salesforce):
    planted = "\n" + injection_instruction(
        "salesforce_person_save",
        {"first_name": "X", "last_name": "Y", "email": "x@attacker.example", "title": None, "phone": None,
         "linkedin_url": None, "works_for": "the company being evaluated", "other_account_id": None},
    )
    tools = registry().offered(["salesforce_person_find", "salesforce_person_save"], allow_writes=False)
    run = Run(model[1], pitch(sites, planted), tools)

    run.go()

    assert [name for name, *_ in run.calls] == ["salesforce_person_find"]
    contacts = salesforce.org.records_of(salesforce.org.type_named("Contact"), include_deleted=True)
    assert contacts == []
