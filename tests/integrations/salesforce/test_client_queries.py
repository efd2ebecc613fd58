"""Reading with the client: paging, queryAll, parents, and values that are only ever data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from simple_salesforce import format_soql

from integrations.salesforce import SalesforceError

HOSTILE = "O'Brien \\ Sons' OR Name != ''"


def test_it_follows_next_records_url_across_pages(emulator, client):
    emulator.page_size = 3
    for number in range(8):
        emulator.org.insert("Account", {"Name": f"Startup {number}"})

    records = list(client.query_iter("SELECT Id, Name FROM Account ORDER BY Name"))

    assert [r["Name"] for r in records] == [f"Startup {n}" for n in range(8)]
    assert all("attributes" not in r for r in records)
    assert emulator.calls_by_endpoint == {"query": 1, "query_more": 2}


def test_query_all_also_returns_deleted_records(emulator, client):
    kept = emulator.org.insert("Account", {"Name": "Kept"})
    deleted = emulator.org.insert("Account", {"Name": "Deleted"})
    emulator.org.delete(deleted)

    assert [r["Id"] for r in client.query_iter("SELECT Id FROM Account")] == [kept]
    everything = client.query_iter("SELECT Id, IsDeleted FROM Account ORDER BY Name", include_deleted=True)
    assert [(r["Id"], r["IsDeleted"]) for r in everything] == [(deleted, True), (kept, False)]


@pytest.mark.parametrize(
    "name", [HOSTILE, "100%_Growth", "Line\nbreak", 'Quote " and \\n literal', "Brace {0} {name}"]
)
def test_names_with_quotes_escapes_and_soql_keywords_are_just_data(emulator, client, name):
    target = emulator.org.insert("Account", {"Name": name})
    for decoy in ("O'Brien", "Sons", "100 Growth", "100%XGrowth", "Line", "Quote"):
        emulator.org.insert("Account", {"Name": decoy})

    exact = client.query_iter("SELECT Id, Name FROM Account WHERE Name = {name}", name=name)
    partial = client.query_iter("SELECT Id FROM Account WHERE Name LIKE '%{name:like}%'", name=name)

    assert list(exact) == [{"Id": target, "Name": name}]
    assert [r["Id"] for r in partial] == [target]


def test_watermark_queries_use_aware_datetimes_and_skip_our_own_writes(emulator, client):
    theirs = emulator.org.insert("Account", {"Name": "Pitched"}, modified_by=emulator.org.human_user_id)
    emulator.org.insert("Account", {"Name": "Written back by us"})
    soql = (
        "SELECT Id FROM Account WHERE SystemModstamp >= {watermark} AND LastModifiedById != {us} "
        "ORDER BY SystemModstamp, Id"
    )
    hour = timedelta(hours=1)

    since_an_hour_ago = client.query_iter(
        soql, watermark=datetime.now(UTC) - hour, us=emulator.org.integration_user_id
    )
    from_the_future = client.query_iter(
        soql, watermark=datetime.now(UTC) + hour, us=emulator.org.integration_user_id
    )

    assert [r["Id"] for r in since_an_hour_ago] == [theirs]
    assert list(from_the_future) == []


def test_parent_fields_arrive_nested_without_attributes(emulator, client):
    account = emulator.org.insert("Account", {"Name": "Acme"})
    emulator.org.insert("Contact", {"LastName": "Lovelace", "AccountId": account})

    [contact] = client.query_iter("SELECT Name, Account.Name FROM Contact")

    assert contact == {"Name": "Lovelace", "Account": {"Name": "Acme"}}


def test_a_query_salesforce_refuses_is_a_permanent_error(client):
    with pytest.raises(SalesforceError) as refused:
        list(client.query_iter("SELECT Id FROM Account WHERE VicBot_Reasoning__c = null"))

    assert (refused.value.code, refused.value.status, refused.value.permanent) == ("INVALID_FIELD", 400, True)
    assert "can not be filtered in query call" in refused.value.message


def test_the_tools_query_shape_is_valid_format_soql(client):
    # format_soql's output is what goes over the wire; this is the round trip the tools rely on.
    soql = format_soql("SELECT Id FROM Account WHERE Name IN {names} LIMIT {n}", names=["a'", "b"], n=5)
    assert list(client.query_iter(soql)) == []
