"""The emulator's SOQL parser and query engine on their own: what each construct selects and refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from simple_salesforce import format_soql

from sandbox.emulators.salesforce.org import Org
from sandbox.emulators.salesforce.queries import run_query
from sandbox.emulators.salesforce.soql import SoqlError

NAMES = ["Acme", "acme labs", "Beta_Co", "Beta Co", "100% Growth", "O'Brien \\ Sons", 'Say "hi"', "Tab\there"]


@pytest.fixture(scope="module")
def org() -> Org:
    org = Org()
    for index, name in enumerate(NAMES):
        org.insert("Account", {"Name": name, "Industry": "Fintech" if index % 2 else None})
    org.insert("Account", {"Name": "Gone"})
    org.delete(org.insert("Account", {"Name": "Recycled"}))
    acme = org.insert("Account", {"Name": "Parent Inc"})
    org.insert(
        "Contact", {"LastName": "Lovelace", "FirstName": "Ada", "AccountId": acme, "Email": "ada@example.com"}
    )
    return org


def names(org: Org, text: str, *, include_deleted: bool = False) -> list[str]:
    rows = run_query(text, org, include_deleted=include_deleted, api_version="62.0")
    return [row["Name"] for row in rows]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Name = 'ACME'", ["Acme"]),  # string equality ignores case, as in Salesforce
        ("name LIKE 'acme%'", ["Acme", "acme labs"]),
        ("Name LIKE 'Beta_Co'", ["Beta_Co", "Beta Co"]),  # bare _ is a wildcard
        (format_soql("Name LIKE '{n:like}'", n="Beta_Co"), ["Beta_Co"]),  # escaped _ is not
        (format_soql("Name LIKE '{n:like}%'", n="100%"), ["100% Growth"]),
        (format_soql("Name = {n}", n="O'Brien \\ Sons"), ["O'Brien \\ Sons"]),
        (format_soql("Name = {n}", n='Say "hi"'), ['Say "hi"']),
        (format_soql("Name = {n}", n="Tab\there"), ["Tab\there"]),
        ("Name IN ('Acme', 'Gone')", ["Acme", "Gone"]),
        ("Name NOT IN ('Acme', 'Gone') AND Name LIKE 'A%'", ["acme labs"]),
        ("(Name = 'Acme' OR Name = 'acme labs') AND Industry = null", ["Acme"]),
        ("NOT Name LIKE '%a%'", ["100% Growth", "O'Brien \\ Sons", "Gone"]),
        ("Industry != null AND (Name LIKE 'B%' OR Name LIKE 'S%')", ["Beta Co"]),
    ],
)
def test_where_clauses_select_what_salesforce_would(org, where, expected):
    assert sorted(names(org, f"SELECT Name FROM Account WHERE {where}")) == sorted(expected)


def test_order_by_puts_nulls_first_ascending_and_last_descending(org):
    ascending = names(
        org, "SELECT Name FROM Account WHERE Name LIKE 'B%' OR Name = 'Gone' ORDER BY Industry, Name"
    )
    descending = names(
        org, "SELECT Name FROM Account WHERE Name LIKE 'B%' OR Name = 'Gone' ORDER BY Industry DESC, Name"
    )
    assert ascending == ["Beta_Co", "Gone", "Beta Co"]  # Industry is null for the first two
    assert descending == ["Beta Co", "Beta_Co", "Gone"]
    assert names(org, "SELECT Name FROM Account ORDER BY Name DESC NULLS FIRST LIMIT 2") == [
        "Tab\there",
        'Say "hi"',
    ]


def test_datetime_literals_compare_in_both_forms_format_soql_and_people_write(org):
    past = format_soql("{t}", t=datetime.now(UTC) - timedelta(days=1))
    assert past.endswith("+00:00")
    assert "Gone" in names(org, f"SELECT Name FROM Account WHERE SystemModstamp >= {past}")
    assert names(org, "SELECT Name FROM Account WHERE SystemModstamp < 2020-01-01T00:00:00Z") == []


def test_ids_match_in_their_15_and_18_character_forms(org):
    record_id = run_query(
        "SELECT Id FROM Account WHERE Name = 'Gone'", org, include_deleted=False, api_version="62.0"
    )[0]["Id"]
    assert names(org, f"SELECT Name FROM Account WHERE Id = '{record_id[:15]}'") == ["Gone"]
    assert names(org, format_soql("SELECT Name FROM Account WHERE Id IN {ids}", ids=[record_id])) == ["Gone"]


def test_query_all_sees_the_recycle_bin(org):
    assert names(org, "SELECT Name FROM Account WHERE Name = 'Recycled'") == []
    assert names(org, "SELECT Name FROM Account WHERE Name = 'Recycled'", include_deleted=True) == [
        "Recycled"
    ]


def test_parent_fields_come_back_nested_with_their_attributes(org):
    [row] = run_query(
        "SELECT Name, Account.Name, account.website FROM Contact",
        org,
        include_deleted=False,
        api_version="62.0",
    )
    assert row["Name"] == "Ada Lovelace"
    assert row["Account"]["attributes"]["type"] == "Account"
    assert (row["Account"]["Name"], row["Account"]["Website"]) == ("Parent Inc", None)
    assert row["attributes"]["url"].startswith("/services/data/v62.0/sobjects/Contact/003")


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("SELECT Id FORM Account", "MALFORMED_QUERY", "unexpected token: FORM"),
        (
            "SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'",
            "MALFORMED_QUERY",
            "unexpected token: OR",
        ),
        ("SELECT Id FROM Account WHERE Name = 'unterminated", "MALFORMED_QUERY", "unexpected token: <EOF>"),
        (
            "SELECT Id FROM Account WHERE Name = 'bad \\q escape'",
            "MALFORMED_QUERY",
            "Illegal escape sequence",
        ),
        ("SELECT Id, Foo__c FROM Account", "INVALID_FIELD", "No such column 'Foo__c' on entity 'Account'"),
        ("SELECT Id FROM Pitch__c", "INVALID_TYPE", "sObject type 'Pitch__c' is not supported"),
        (
            "SELECT Id FROM Account WHERE VicBot_Reasoning__c = null",
            "INVALID_FIELD",
            "field 'VicBot_Reasoning__c' can not be filtered in query call",
        ),
        (
            "SELECT Id FROM Account ORDER BY Description",
            "INVALID_FIELD",
            "field 'Description' can not be sorted",
        ),
        (
            "SELECT Id FROM Account WHERE SystemModstamp > '2024-01-01T00:00:00Z'",
            "INVALID_QUERY_FILTER_OPERATOR",
            "must be of type dateTime and should not be enclosed in quotes",
        ),
        ("SELECT Id FROM Account WHERE Name = 5", "INVALID_QUERY_FILTER_OPERATOR", "must be of type string"),
        (
            "SELECT Id FROM Account WHERE Id = 'nope'",
            "INVALID_QUERY_FILTER_OPERATOR",
            "invalid ID field: nope",
        ),
        ("SELECT Owner.Name FROM Account", "INVALID_FIELD", "Didn't understand relationship 'Owner'"),
    ],
)
def test_bad_queries_are_refused_with_salesforce_codes(org, text, code, message):
    with pytest.raises(SoqlError) as refused:
        run_query(text, org, include_deleted=False, api_version="62.0")
    assert refused.value.code == code
    assert message in refused.value.describe(text)


def test_errors_point_at_row_and_column_like_salesforce():
    error = SoqlError("INVALID_FIELD", "No such column 'Foo__c'", 11)
    assert error.describe("SELECT Id, Foo__c FROM Account") == (
        "\nSELECT Id, Foo__c FROM Account\n           ^\nERROR at Row:1:Column:12\nNo such column 'Foo__c'"
    )
