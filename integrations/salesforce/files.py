"""Salesforce Files: the files linked to records, and one file version's bytes.

A record's files are `ContentDocumentLink` rows; Salesforce refuses a query on them that does
not filter on `LinkedEntityId` (or `ContentDocumentId`) with `=` or `IN`, so the records of a
batch go in one `IN` list. Each file's latest version is a `ContentVersion` (`IsLatest = true`),
read with a second query: two queries for a whole batch, whatever its size (chunked at
`IDS_PER_QUERY` so the SOQL stays under Salesforce's length limit). Queries return only what the
integration user may see.

The bytes come from `GET …/sobjects/ContentVersion/{Id}/VersionData` (binary, one call per file:
Salesforce offers no composite form). They are streamed to a file, never held whole in memory,
and the download stops past `max_bytes`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import IO

import requests

from integrations.salesforce.client import SalesforceClient, soql_literal
from integrations.salesforce.errors import SalesforceError, translate_errors

# Record ids per IN list: 200 ids of 18 characters keep a query far below SOQL's 100,000 characters.
IDS_PER_QUERY = 200
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class FileVersion:
    """The latest version of one file linked to a record."""

    record_id: str
    content_document_id: str
    content_version_id: str
    title: str
    file_type: str  # Salesforce's word: PDF, POWER_POINT_X, POWER_POINT, WORD_X, …
    file_extension: str
    size: int  # bytes, as Salesforce states it
    version_number: str
    created_date: str  # the version's, ISO 8601 (what "newest" is judged by)


class TooLarge(SalesforceError):
    """The file is larger than the caller accepts; nothing past the limit was read."""


def record_files(client: SalesforceClient, record_ids: Iterable[str]) -> dict[str, list[FileVersion]]:
    """Each record's files (latest versions), for many records in one ContentDocumentLink and one
    ContentVersion query (per IDS_PER_QUERY records)."""
    ids = sorted({str(record_id) for record_id in record_ids if record_id})
    found: dict[str, list[FileVersion]] = {record_id: [] for record_id in ids}
    for start in range(0, len(ids), IDS_PER_QUERY):
        chunk = ids[start:start + IDS_PER_QUERY]
        links = list(client.query_iter(
            "SELECT ContentDocumentId, LinkedEntityId FROM ContentDocumentLink "
            f"WHERE LinkedEntityId IN ({', '.join(soql_literal(i) for i in chunk)})"))
        documents: dict[str, list[str]] = {}
        for link in links:
            documents.setdefault(str(link["ContentDocumentId"]), []).append(_record_key(link["LinkedEntityId"], chunk))
        if not documents:
            continue
        versions = client.query_iter(
            "SELECT Id, ContentDocumentId, Title, FileType, FileExtension, ContentSize, VersionNumber, CreatedDate "
            "FROM ContentVersion WHERE IsLatest = true AND ContentDocumentId IN "
            f"({', '.join(soql_literal(d) for d in sorted(documents))})")
        for version in versions:
            for record_id in documents.get(str(version["ContentDocumentId"]), []):
                found.setdefault(record_id, []).append(FileVersion(
                    record_id=record_id, content_document_id=str(version["ContentDocumentId"]),
                    content_version_id=str(version["Id"]), title=str(version.get("Title") or ""),
                    file_type=str(version.get("FileType") or ""),
                    file_extension=str(version.get("FileExtension") or ""),
                    size=int(version.get("ContentSize") or 0), version_number=str(version.get("VersionNumber") or ""),
                    created_date=str(version.get("CreatedDate") or "")))
    return found


def documents_with_new_versions(client: SalesforceClient, since: datetime) -> tuple[dict[str, str], datetime | None]:
    """Documents whose latest version was created at or after `since`, mapped to the records they are
    linked to ({ContentDocumentId: [LinkedEntityId, …]} flattened as (record, document) pairs), and the
    newest CreatedDate seen. One ContentVersion query, and one ContentDocumentLink query when any."""
    versions = list(client.query_iter(
        "SELECT ContentDocumentId, CreatedDate FROM ContentVersion WHERE IsLatest = true AND CreatedDate >= "
        f"{soql_literal(since)}"))
    if not versions:
        return {}, None
    newest = max(datetime.fromisoformat(str(v["CreatedDate"])) for v in versions)
    documents = sorted({str(v["ContentDocumentId"]) for v in versions})
    linked: dict[str, str] = {}
    for start in range(0, len(documents), IDS_PER_QUERY):
        chunk = documents[start:start + IDS_PER_QUERY]
        for link in client.query_iter("SELECT ContentDocumentId, LinkedEntityId FROM ContentDocumentLink "
                                      f"WHERE ContentDocumentId IN ({', '.join(soql_literal(d) for d in chunk)})"):
            linked[str(link["LinkedEntityId"])] = str(link["ContentDocumentId"])
    return linked, newest


def download_version(client: SalesforceClient, content_version_id: str, *, max_bytes: int) -> IO[bytes]:
    """The version's bytes in a temporary file (rewound; the caller closes it, which deletes it).

    One API call. TooLarge past `max_bytes` (the download stops there); SalesforceError when
    Salesforce refuses (404 NOT_FOUND: deleted, or not visible to the integration user)."""
    sf = client.salesforce
    url = f"{sf.base_url}sobjects/ContentVersion/{_id(content_version_id)}/VersionData"
    spool = tempfile.TemporaryFile()
    try:
        with translate_errors(), client.session.get(url, headers=sf.headers, stream=True) as response:
            if response.status_code >= 300:
                raise _refusal(response)
            written = 0
            for chunk in response.iter_content(CHUNK_BYTES):
                written += len(chunk)
                if written > max_bytes:
                    raise TooLarge(f"The file is larger than {max_bytes} bytes", code="TOO_LARGE", permanent=True)
                spool.write(chunk)
        spool.seek(0)
        return spool
    except BaseException:
        spool.close()
        raise


def _refusal(response: requests.Response) -> SalesforceError:
    try:
        body = response.json()
    except ValueError:
        body = None
    first = body[0] if isinstance(body, list) and body and isinstance(body[0], dict) else {}
    code = first.get("errorCode") or f"HTTP_{response.status_code}"
    message = first.get("message") or response.text[:300]
    transient = response.status_code >= 500 or response.status_code in (401, 429)
    return SalesforceError(f"{code}: {message}", code=code, permanent=not transient, status=response.status_code)


def _record_key(linked_id: str, chunk: list[str]) -> str:
    """The id as the caller gave it: Salesforce answers 18-character ids; callers may hold 15."""
    linked = str(linked_id)
    return next((given for given in chunk if linked.startswith(given) or given.startswith(linked)), linked)


def _id(value: str) -> str:
    if not value.isalnum() or len(value) not in (15, 18):
        raise SalesforceError(f"Not a Salesforce id: {value!r}", code="INVALID_ID", permanent=True)
    return value
