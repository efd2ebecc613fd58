"""The Salesforce tools, called as the model calls them, against the emulator."""

from __future__ import annotations

import json

import pytest

from tools.base import ToolContext, invoke
from tools.salesforce import TOOLS

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
        "account_id": None,
        **overrides,
    }


def test_person_save_creates_a_contact_with_every_field_given(emulator):
    account = emulator.org.insert("Account", {"Name": "Acme"})

    created = call("salesforce_person_save", **person(title="CEO", linkedin_url="https://linkedin.com/in/ada",
                                                      account_id=account))

    assert created["action"] == "created"
    contact = emulator.org.get(created["id"])
    assert (contact["Name"], contact["Email"], contact["Title"]) == ("Ada O'Lovelace", "ada@example.com", "CEO")
    assert (contact["LinkedIn__c"], contact["AccountId"]) == ("https://linkedin.com/in/ada", account)


def test_person_save_fills_only_the_empty_fields_of_the_contact_with_that_email(emulator):
    ours = emulator.org.insert("Account", {"Name": "Our portfolio company"})
    contact_id = emulator.org.insert(
        "Contact",
        {"LastName": "Lovelace", "Email": "ada@example.com", "Title": "CEO", "AccountId": ours, "Phone": ""},
    )

    saved = call(
        "salesforce_person_save",
        **person(email="Ada@Example.com", title="Former CEO", phone="+44 20 7946 0000",
                 linkedin_url="https://linkedin.com/in/ada"),
    )

    assert saved["id"] == contact_id and saved["action"] == "updated"
    assert saved["filled"] == ["FirstName", "LinkedIn__c", "Phone"]
    assert saved["not_changed"] == ["Email", "LastName", "Title"]
    contact = emulator.org.get(contact_id)
    assert (contact["FirstName"], contact["Phone"], contact["LinkedIn__c"]) == (
        "Ada", "+44 20 7946 0000", "https://linkedin.com/in/ada"
    )
    # What was there stays: title, family name, email, account.
    assert (contact["Title"], contact["LastName"], contact["Email"], contact["AccountId"]) == (
        "CEO", "Lovelace", "ada@example.com", ours
    )


def test_person_save_never_moves_an_existing_contact_to_another_account(emulator):
    ours = emulator.org.insert("Account", {"Name": "Our portfolio company"})
    theirs = emulator.org.insert("Account", {"Name": "A pitch that wants our contacts"})
    contact_id = emulator.org.insert("Contact", {"LastName": "Lovelace", "Email": "ada@example.com", "AccountId": ours})
    orphan_id = emulator.org.insert("Contact", {"LastName": "Hopper", "Email": "grace@example.com"})

    moved = call("salesforce_person_save", **person(account_id=theirs, first_name="Ada"))
    adopted = call("salesforce_person_save", **person(email="grace@example.com", last_name="Hopper",
                                                      first_name="Grace", account_id=theirs))

    assert emulator.org.get(contact_id)["AccountId"] == ours and "AccountId" in moved["not_changed"]
    # Even an empty Account is not set on an existing Contact: that would attach it to the pitch.
    assert emulator.org.get(orphan_id)["AccountId"] is None and "AccountId" in adopted["not_changed"]
    assert "never changed" in moved["note"]


def test_person_save_with_nothing_new_changes_nothing(emulator):
    contact_id = emulator.org.insert(
        "Contact", {"FirstName": "Ada", "LastName": "O'Lovelace", "Email": "ada@example.com"}
    )
    before = emulator.org.get(contact_id)

    saved = call("salesforce_person_save", **person())

    assert saved == {"id": contact_id, "action": "unchanged", "filled": []}
    assert emulator.org.get(contact_id)["LastModifiedDate"] == before["LastModifiedDate"]


def test_only_the_save_tool_is_a_write_tool():
    assert [tool.name for tool in TOOLS if tool.writes] == ["salesforce_person_save"]


def test_person_save_refuses_something_that_is_not_an_email():
    arguments = {
        "first_name": "A",
        "last_name": "B",
        "email": "nope",
        "title": None,
        "phone": None,
        "linkedin_url": None,
        "account_id": None,
    }
    result = invoke(TOOL["salesforce_person_save"], json.dumps(arguments), ToolContext(), max_chars=1000)
    assert "not an email address" in result.output
