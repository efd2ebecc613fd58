"""Salesforce Files through the real client: one query pair for many records, the ContentDocumentLink
filter rule, and VersionData as binary (the emulator speaks the contract of the Object Reference)."""

from __future__ import annotations

import pytest

from integrations.salesforce import SalesforceError
from integrations.salesforce.files import TooLarge, download_version, record_files


def _queries(emulator) -> int:
    return emulator.calls_by_endpoint["query"]


def test_one_query_pair_finds_the_latest_files_of_many_records(emulator, client):
    first = emulator.org.insert("Account", {"Name": "Alpha"})
    second = emulator.org.insert("Account", {"Name": "Beta"})
    bare = emulator.org.insert("Account", {"Name": "Gamma"})
    document, old_version = emulator.files.attach_file(first, "Alpha deck", b"%PDF-old")
    new_version = emulator.files.new_version(document, b"%PDF-new")
    emulator.files.attach_file(second, "Beta notes", b"PK..", file_type="POWER_POINT_X", extension="pptx")
    before = _queries(emulator)

    found = record_files(client, [first, second, bare])

    assert _queries(emulator) - before == 2
    assert [f.content_version_id for f in found[first]] == [new_version] != [old_version]
    assert found[first][0].version_number == "2" and found[first][0].size == len(b"%PDF-new")
    assert [(f.title, f.file_type) for f in found[second]] == [("Beta notes", "POWER_POINT_X")]
    assert found[bare] == []


def test_a_link_query_without_the_required_filter_is_refused(emulator, client):
    record = emulator.org.insert("Account", {"Name": "Alpha"})
    emulator.files.attach_file(record, "deck", b"%PDF")
    with pytest.raises(SalesforceError) as refused:
        list(client.query_iter("SELECT ContentDocumentId FROM ContentDocumentLink WHERE ShareType = 'V'"))
    assert refused.value.code == "MALFORMED_QUERY" and "ContentDocumentLink requires a filter" in str(refused.value)
    rows = list(client.query_iter("SELECT ContentDocumentId FROM ContentDocumentLink WHERE LinkedEntityId = {id}",
                                  id=record))
    assert len(rows) == 1


def test_version_data_is_the_binary_body_in_one_call(emulator, client):
    record = emulator.org.insert("Account", {"Name": "Alpha"})
    blob = bytes(range(256)) * 40
    _, version = emulator.files.attach_file(record, "deck", blob)
    calls = emulator.api_calls
    with download_version(client, version, max_bytes=1_000_000) as spool:
        assert spool.read() == blob
    assert emulator.api_calls - calls == 1
    with pytest.raises(TooLarge):
        download_version(client, version, max_bytes=1000)


def test_a_deleted_or_unreadable_file_is_refused_with_salesforce_s_code(emulator, client):
    record = emulator.org.insert("Account", {"Name": "Alpha"})
    hidden_doc, hidden = emulator.files.attach_file(record, "secret", b"%PDF")
    gone_doc, gone = emulator.files.attach_file(record, "gone", b"%PDF")
    emulator.files.hide_file(hidden_doc)
    emulator.files.delete_file(gone_doc)
    with pytest.raises(SalesforceError) as refused:
        download_version(client, hidden, max_bytes=100)
    assert refused.value.code == "INSUFFICIENT_ACCESS_OR_READONLY" and refused.value.permanent
    with pytest.raises(SalesforceError) as missing:
        download_version(client, gone, max_bytes=100)
    assert missing.value.code == "NOT_FOUND"
    assert [f.title for f in record_files(client, [record])[record]] == ["secret"]
