"""Writing with the client: single records, sObject Collections, and describe."""

from __future__ import annotations

import pytest

from integrations.salesforce import SalesforceError, SaveResult


def test_it_creates_reads_and_updates_a_record_as_the_integration_user(emulator, client):
    record_id = client.create("Account", {"Name": "Acme", "Website": "https://acme.example"})
    created = emulator.org.get(record_id)

    client.update("Account", record_id, {"VicBot_Assessment__c": "Promising"})

    assert record_id.startswith("001") and len(record_id) == 18
    assert client.get("Account", record_id, ["Name", "VicBot_Assessment__c"]) == {
        "Name": "Acme",
        "VicBot_Assessment__c": "Promising",
    }
    updated = emulator.org.get(record_id)
    assert updated["SystemModstamp"] > created["SystemModstamp"]
    assert updated["LastModifiedById"] == emulator.org.integration_user_id


def test_update_many_reports_every_record_in_input_order(emulator, client):
    ok, deleted, locked, too_long = (emulator.org.insert("Account", {"Name": f"A{n}"}) for n in range(4))
    emulator.org.delete(deleted)
    emulator.faults.add("lock_row", match=locked)

    results = client.update_many(
        "Account",
        [
            {"Id": ok, "VicBot_Assessment__c": "Yes"},
            {"Id": deleted, "VicBot_Assessment__c": "Yes"},
            {"Id": locked, "VicBot_Assessment__c": "Yes"},
            {"Id": too_long, "VicBot_Assessment__c": "x" * 256},
        ],
    )

    assert [(r.record_id, r.outcome, r.error_code) for r in results] == [
        (ok, "ok", None),
        (deleted, "deleted", "ENTITY_IS_DELETED"),
        (locked, "retry", "UNABLE_TO_LOCK_ROW"),
        (too_long, "failed", "STRING_TOO_LONG"),
    ]
    assert results[3].fields == ("VicBot_Assessment__c",)
    assert emulator.org.get(ok)["VicBot_Assessment__c"] == "Yes"
    assert emulator.org.get(locked)["VicBot_Assessment__c"] is None
    assert emulator.calls_by_endpoint["collection_update"] == 1


def test_update_many_sends_at_most_200_records_per_call(emulator, client):
    ids = [emulator.org.insert("Account", {"Name": f"A{n}"}) for n in range(250)]

    results = client.update_many("Account", [{"Id": i, "VicBot_Assessment__c": "Seen"} for i in ids])

    assert [r.record_id for r in results] == ids
    assert all(r == SaveResult(record_id=i, ok=True) for r, i in zip(results, ids, strict=True))
    assert emulator.calls_by_endpoint["collection_update"] == 2


def test_describe_field_lengths_are_fetched_once(emulator, client):
    first = client.describe_field_lengths("Account")
    again = client.describe_field_lengths("Account")

    assert first is again
    assert (first["VicBot_Assessment__c"], first["VicBot_Reasoning__c"], first["Description"]) == (
        255,
        131072,
        32000,
    )
    assert emulator.calls_by_endpoint["describe"] == 1


def test_a_deleted_record_is_not_found_and_cannot_be_updated(emulator, client):
    record_id = emulator.org.insert("Account", {"Name": "Gone"})
    emulator.org.delete(record_id)

    with pytest.raises(SalesforceError) as not_found:
        client.get("Account", record_id)
    with pytest.raises(SalesforceError) as deleted:
        client.update("Account", record_id, {"Industry": "Fintech"})

    assert (not_found.value.code, not_found.value.permanent) == ("NOT_FOUND", True)
    assert (deleted.value.code, deleted.value.status, deleted.value.permanent) == (
        "ENTITY_IS_DELETED",
        404,
        True,
    )


@pytest.mark.parametrize("bad_id", ["../limits", "001 OR 1=1", "", "0015g000RmQa001AI"])
def test_record_ids_are_checked_before_they_reach_a_url(client, bad_id):
    with pytest.raises(ValueError):
        client.update("Account", bad_id, {"Name": "x"})
