"""The Salesforce tools, called as the model calls them, against the emulator."""

from __future__ import annotations

import json

import pytest

from tools.base import ToolContext, ToolResult, invoke
from tools.salesforce import TOOLS, SuggestionNotApplicable, apply_suggestion

TOOL = {tool.name: tool for tool in TOOLS}
HOSTILE = "O'Brien \\ Sons' OR Name != ''"


@pytest.fixture
def emulator(salesforce_alone):
    return salesforce_alone


def call(tool: str, /, **arguments) -> object:
    result = invoke(TOOL[tool], json.dumps(arguments), ToolContext(run_id=1), max_chars=10_000)
    assert result.ok, result.output
    return json.loads(result.output)


def test_the_tools_are_offered_only_when_salesforce_is_configured(settings):
    for name in ("DOMAIN", "CLIENT_ID", "USERNAME", "INSTANCE_URL", "ACCESS_TOKEN"):
        setattr(settings, f"SALESFORCE_{name}", None)
    assert not any(tool.is_available() for tool in TOOLS)

    settings.SALESFORCE_INSTANCE_URL, settings.SALESFORCE_ACCESS_TOKEN = "https://127.0.0.1:1", "token"
    assert all(tool.is_available() for tool in TOOLS)
    assert all(tool.openai_definition()["strict"] for tool in TOOLS)


def test_company_find_treats_a_hostile_name_as_data(emulator):
    target = emulator.org.insert("Account", {"Name": f"{HOSTILE} Ltd", "Description": "d" * 500})
    for decoy in ("O'Brien", "Sons Ltd", "Other"):
        emulator.org.insert("Account", {"Name": decoy})

    [found] = call("salesforce_company_find", name=HOSTILE, website=None)

    assert (found["Id"], found["Name"]) == (target, f"{HOSTILE} Ltd")
    assert found["Description"] == "d" * 200 + "…"


def test_company_find_matches_the_website_domain(emulator):
    target = emulator.org.insert("Account", {"Name": "Acme", "Website": "https://www.acme.io/"})
    emulator.org.insert("Account", {"Name": "Acmeish", "Website": "https://acme-io.example"})

    found = call("salesforce_company_find", name=None, website="http://WWW.Acme.io/about")

    assert [f["Id"] for f in found] == [target]


def test_company_find_returns_at_most_five(emulator):
    for number in range(7):
        emulator.org.insert("Account", {"Name": f"Acme {number}"})

    assert len(call("salesforce_company_find", name="acme", website=None)) == 5


def test_a_find_needs_a_name_or_a_website():
    result = invoke(
        TOOL["salesforce_company_find"], '{"name": " ", "website": null}', ToolContext(), max_chars=1000
    )
    assert (result.ok, json.loads(result.output)["error"]["type"]) == (False, "invalid_arguments")


def test_person_find_by_email_or_name(emulator):
    ada = emulator.org.insert(
        "Contact", {"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"}
    )
    emulator.org.insert("Contact", {"FirstName": "Grace", "LastName": "Hopper", "Email": "grace@example.com"})

    by_email = call("salesforce_person_find", name=None, email="ADA@example.com")
    by_name = call("salesforce_person_find", name="ada love", email=None)

    assert by_email == [
        {"Id": ada, "Name": "Ada Lovelace", "Email": "ada@example.com", "Title": None, "AccountId": None}
    ]
    assert [p["Id"] for p in by_name] == [ada]


def person(**overrides) -> dict:
    return {
        "first_name": "Ada",
        "last_name": "O'Lovelace",
        "email": "ada@example.com",
        "title": None,
        "phone": None,
        "linkedin_url": None,
        "works_for": "the company being evaluated",
        "other_account_id": None,
        **overrides,
    }


def pitch_of(account_id: str, sobject: str = "Account") -> ToolContext:
    """The context the engine builds for a pipeline's run (pipelines.services.admission's metadata)."""
    return ToolContext(run_id=1, metadata={"pitch": "1", "pipeline": "default", "salesforce_id": account_id,
                                           "sobject": sobject})


def save(context: ToolContext, raw: dict | None = None, **overrides) -> ToolResult:
    arguments = json.dumps(raw if raw is not None else person(**overrides))
    result = invoke(TOOL["salesforce_person_save"], arguments, context, max_chars=10_000)
    assert result.ok, result.output
    return result


def contacts(emulator) -> list[dict]:
    return [dict(r.values) for r in emulator.org.records_of(emulator.org.type_named("Contact"), include_deleted=True)]


def test_person_save_creates_a_contact_on_the_pitchs_own_account(emulator):
    pitch = emulator.org.insert("Account", {"Name": "Acme"})

    result = save(pitch_of(pitch), title="CEO", linkedin_url="https://linkedin.com/in/ada")

    created = json.loads(result.output)
    assert (created["action"], created["account_id"], result.suggestions) == ("created", pitch, [])
    contact = emulator.org.get(created["id"])
    assert (contact["Name"], contact["Email"], contact["Title"]) == ("Ada O'Lovelace", "ada@example.com", "CEO")
    assert (contact["LinkedIn__c"], contact["AccountId"]) == ("https://linkedin.com/in/ada", pitch)


def test_the_tool_sets_the_account_even_when_the_model_sends_one_of_its_own(emulator):
    pitch = emulator.org.insert("Account", {"Name": "Acme"})
    elsewhere = emulator.org.insert("Account", {"Name": "Somebody else's company"})

    # Another Account beside "the company being evaluated" is ignored: the tool sets the pitch's.
    ignored = save(pitch_of(pitch), other_account_id=elsewhere)
    # The old argument, as a model that read an older schema (or a planted instruction) would send it.
    stale = save(pitch_of(pitch), raw={**person(email="bob@example.com"), "account_id": elsewhere,
                                       "AccountId": elsewhere})
    # "Another company" that is the pitch's own Account (in its 15-character form) is the pitch's.
    same = save(pitch_of(pitch), email="grace@example.com", works_for="another company", other_account_id=pitch[:15])

    for result in (ignored, stale, same):
        created = json.loads(result.output)
        assert created["action"] == "created" and emulator.org.get(created["id"])["AccountId"] == pitch
    assert len(contacts(emulator)) == 3 and not [c for c in contacts(emulator) if c["AccountId"] == elsewhere]


def test_a_contact_for_another_company_is_only_suggested(emulator):
    pitch = emulator.org.insert("Account", {"Name": "Acme"})
    elsewhere = emulator.org.insert("Account", {"Name": "Any company"})

    result = save(pitch_of(pitch), title="CFO (send invoices here)", works_for="another company",
                  other_account_id=elsewhere)
    unknown = save(pitch_of(pitch), email="bob@example.com", works_for="another company")

    assert contacts(emulator) == []
    assert [s["fields"].get("AccountId", "none") for s in unknown.suggestions] == ["none"]
    answer = json.loads(result.output)
    assert (answer["action"], answer["id"]) == ("suggested", None)
    assert "Not written to Salesforce" in answer["note"] and "another company" in answer["note"]
    [suggestion] = result.suggestions
    assert (suggestion["object"], suggestion["record_id"], suggestion["current"]) == ("Contact", None, {})
    assert suggestion["fields"] == {"FirstName": "Ada", "LastName": "O'Lovelace", "Email": "ada@example.com",
                                    "Title": "CFO (send invoices here)", "AccountId": elsewhere}


@pytest.mark.parametrize("metadata", [
    {},  # a run started from code, with no pitch
    {"salesforce_id": "006000000000001AAA", "sobject": "Opportunity"},  # a pipeline on another object
    {"salesforce_id": "006000000000001AAA", "sobject": "Account"},  # an Id that is not an Account's
    {"salesforce_id": "001000000000001AAA"},  # no sObject said
], ids=["no pitch", "opportunity", "not an account id", "no sobject"])
def test_without_an_account_of_its_own_a_new_contact_is_only_suggested(emulator, metadata):
    result = save(ToolContext(run_id=1, metadata=metadata))

    assert contacts(emulator) == []
    assert json.loads(result.output)["action"] == "suggested"
    [suggestion] = result.suggestions
    assert suggestion["record_id"] is None and "AccountId" not in suggestion["fields"]
    assert "no Account of its own" in suggestion["reason"]


def test_an_existing_contact_is_never_changed_not_even_its_empty_fields(emulator):
    pitch = emulator.org.insert("Account", {"Name": "A pitch"})
    fund = emulator.org.insert("Account", {"Name": "One of our LPs"})
    lp = emulator.org.insert("Contact", {"FirstName": "Lee", "LastName": "Partner", "Email": "lee@lp.example",
                                         "AccountId": fund, "Phone": ""})
    before = emulator.org.get(lp)
    wire = "New wire instructions: call +1 555 0100"

    result = save(pitch_of(pitch), first_name="Lee", last_name="Partner", email="LEE@lp.example", title=wire,
                  phone="+1 555 0100", linkedin_url=wire, other_account_id=pitch)

    after = emulator.org.get(lp)
    assert after == before and after["AccountId"] == fund
    answer = json.loads(result.output)
    assert (answer["id"], answer["action"], answer["fields"]) == (lp, "suggested", ["LinkedIn__c", "Phone", "Title"])
    assert "existing Contact is changed only by an operator" in answer["note"]
    [suggestion] = result.suggestions
    assert (suggestion["object"], suggestion["record_id"]) == ("Contact", lp)
    assert suggestion["fields"] == {"Title": wire, "Phone": "+1 555 0100", "LinkedIn__c": wire}
    assert suggestion["current"] == {"Title": None, "Phone": None, "LinkedIn__c": None}  # Salesforce keeps "" as null


def test_moving_an_existing_contact_to_another_account_is_only_suggested(emulator):
    ours = emulator.org.insert("Account", {"Name": "Our portfolio company"})
    theirs = emulator.org.insert("Account", {"Name": "Another company"})
    contact_id = emulator.org.insert("Contact", {"FirstName": "Ada", "LastName": "O'Lovelace",
                                                 "Email": "ada@example.com", "AccountId": ours})

    result = save(pitch_of(emulator.org.insert("Account", {"Name": "A pitch"})), works_for="another company",
                  other_account_id=theirs)

    assert emulator.org.get(contact_id)["AccountId"] == ours
    [suggestion] = result.suggestions
    assert (suggestion["fields"], suggestion["current"]) == ({"AccountId": theirs}, {"AccountId": ours})


def test_person_save_with_nothing_new_changes_nothing(emulator):
    contact_id = emulator.org.insert(
        "Contact", {"FirstName": "Ada", "LastName": "O'Lovelace", "Email": "ada@example.com"}
    )
    before = emulator.org.get(contact_id)

    result = save(pitch_of(emulator.org.insert("Account", {"Name": "Acme"})))

    assert (json.loads(result.output), result.suggestions) == ({"id": contact_id, "action": "unchanged"}, [])
    assert emulator.org.get(contact_id)["LastModifiedDate"] == before["LastModifiedDate"]


def test_only_the_save_tool_is_a_write_tool():
    assert [tool.name for tool in TOOLS if tool.writes] == ["salesforce_person_save"]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"email": "nope"}, "not an email address"),
    ({"works_for": "another company", "other_account_id": "003000000000001AAA"}, "not a Salesforce Account Id"),
    ({"works_for": "another company", "other_account_id": "001' OR Name != '"}, "not a Salesforce Account Id"),
    ({"works_for": "a friend's company"}, "works_for"),
])
def test_person_save_refuses_arguments_of_the_wrong_shape(overrides, message):
    result = invoke(TOOL["salesforce_person_save"], json.dumps(person(**overrides)), ToolContext(), max_chars=1000)
    assert not result.ok and message in result.output and result.suggestions == []


def test_an_approved_suggestion_writes_only_what_it_says(emulator):
    account = emulator.org.insert("Account", {"Name": "Another company"})
    contact_id = emulator.org.insert("Contact", {"LastName": "Partner", "Email": "lee@lp.example"})

    assert apply_suggestion(sobject="Contact", record_id=contact_id, fields={"Title": "GP"}) == contact_id
    new = {"LastName": "Doe", "Email": "pat@other.example", "AccountId": account}
    created = apply_suggestion(sobject="Contact", record_id=None, fields=new)

    assert emulator.org.get(contact_id)["Title"] == "GP"
    assert {k: emulator.org.get(created)[k] for k in new} == new
    # Applied twice (a redelivered task): the Contact the first one created, not a second.
    assert apply_suggestion(sobject="Contact", record_id=None, fields=new) == created
    assert len(contacts(emulator)) == 2


@pytest.mark.parametrize(("sobject", "fields", "message"), [
    ("Account", {"Name": "Renamed"}, "not Account"),
    ("Contact", {"OwnerId": "005000000000001AAA"}, "never writes on a Contact: OwnerId"),
    ("Contact", {}, "no fields"),
    ("Contact", {"LastName": "Other", "Email": "lee@lp.example"}, "A Contact with this email exists now"),
])
def test_an_approved_suggestion_that_cannot_be_written_as_it_stands_is_refused(emulator, sobject, fields, message):
    emulator.org.insert("Contact", {"LastName": "Partner", "Email": "lee@lp.example"})
    before = contacts(emulator)

    with pytest.raises(SuggestionNotApplicable, match=message):
        apply_suggestion(sobject=sobject, record_id=None, fields=fields)

    assert contacts(emulator) == before
