"""Salesforce Files in the emulator: ContentDocument, ContentVersion and ContentDocumentLink rows, their
query rule, and `GET …/sobjects/ContentVersion/{Id}/VersionData` (the bytes, binary, one call per file).

The rule Salesforce enforces and the emulator with it: a ContentDocumentLink query must filter on
LinkedEntityId or ContentDocumentId with `=` or `IN` (Object Reference, ContentDocumentLink); any
other is refused with MALFORMED_QUERY, whatever else it filters on. A new version makes the
earlier one `IsLatest = false`; the linked record is not touched (its SystemModstamp stays: assumed
from Salesforce's documentation, where a file is its own record).

Test side: `attach_file`, `new_version`, `delete_file`, and `hide_file` (a file the integration user
may see in a query but whose bytes it may not read: VersionData answers 403
INSUFFICIENT_ACCESS_OR_READONLY — assumed: Salesforce's exact answer depends on sharing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .ids import normalize_id
from .schema import Field, SObjectType, system_fields
from .soql import Compare, In, Junction, Not, SoqlError
from .wire import ApiError

if TYPE_CHECKING:
    from .org import Org

LINK_RULE = ("Implementation restriction: ContentDocumentLink requires a filter by a single Id on ContentDocumentId "
             "or LinkedEntityId using the equals operator or multiple Id's using the IN operator.")
_LINK_KEYS = {"linkedentityid", "contentdocumentid"}


def file_types() -> list[SObjectType]:
    document = SObjectType("ContentDocument", "069")
    document.add(*system_fields(), Field("Title", "string", 255), Field("FileType", "string", 20),
                 Field("LatestPublishedVersionId", "reference", 18, reference_to="ContentVersion"))
    version = SObjectType("ContentVersion", "068")
    version.add(
        *system_fields(),
        Field("ContentDocumentId", "reference", 18, reference_to="ContentDocument"),
        Field("Title", "string", 255), Field("PathOnClient", "string", 500),
        Field("FileType", "string", 20), Field("FileExtension", "string", 40),
        Field("ContentSize", "double"), Field("VersionNumber", "string", 20),
        Field("IsLatest", "boolean"),
    )
    link = SObjectType("ContentDocumentLink", "06A")
    link.add(
        *system_fields(),
        Field("ContentDocumentId", "reference", 18, reference_to="ContentDocument"),
        Field("LinkedEntityId", "reference", 18), Field("ShareType", "picklist", 40),
        Field("Visibility", "picklist", 40),
    )
    return [document, version, link]


def check_link_filter(sobject: str, where: Any) -> None:
    """Refuse a ContentDocumentLink query without the filter Salesforce requires."""
    if sobject.lower() == "contentdocumentlink" and not _has_id_filter(where):
        raise SoqlError("MALFORMED_QUERY", LINK_RULE, 0)


def _has_id_filter(node: Any) -> bool:
    """A top-level (ANDed) `=` or `IN` on LinkedEntityId or ContentDocumentId."""
    if isinstance(node, Compare):
        return node.operator == "=" and node.path.value.lower() in _LINK_KEYS
    if isinstance(node, In):
        return not node.negated and node.path.value.lower() in _LINK_KEYS
    if isinstance(node, Junction) and node.word.upper() == "AND":
        return any(_has_id_filter(operand) for operand in node.operands)
    if isinstance(node, Junction):  # OR: every branch must be filtered
        return all(_has_id_filter(operand) for operand in node.operands)
    if isinstance(node, Not):
        return False
    return False


class Files:
    """The bytes of each ContentVersion (the rows live in the org like any record)."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self.data: dict[str, bytes] = {}
        self.hidden: set[str] = set()  # ContentDocument ids whose bytes the integration user may not read
        self.downloads: dict[str, int] = {}  # ContentVersion id → VersionData calls answered

    def attach_file(self, record_id: str, title: str, data: bytes, *, file_type: str = "PDF",
                    extension: str = "pdf") -> tuple[str, str]:
        """A new file linked to `record_id`: (ContentDocument id, ContentVersion id)."""
        with self.org.lock:
            document_id = self.org.insert("ContentDocument", {"Title": title, "FileType": file_type})
            version_id = self._version(document_id, title, data, file_type, extension, number=1)
            link_id = self.org.insert("ContentDocumentLink", {"ContentDocumentId": document_id, "ShareType": "V",
                                                              "Visibility": "AllUsers"})
            # LinkedEntityId is polymorphic (any record): set as is, past the single-type reference check.
            self.org.find(link_id).values["LinkedEntityId"] = normalize_id(record_id)
            return document_id, version_id

    def new_version(self, document_id: str, data: bytes, *, title: str | None = None, file_type: str = "PDF",
                    extension: str = "pdf") -> str:
        with self.org.lock:
            versions = [r for r in self._versions_of(document_id)]
            for record in versions:
                self.org.write(record, {"IsLatest": False})
            latest = versions[-1].values if versions else {}
            return self._version(document_id, title or latest.get("Title") or "deck", data, file_type, extension,
                                 number=len(versions) + 1)

    def delete_file(self, document_id: str) -> None:
        """Deleted by someone in Salesforce: the document, its versions and its links go to the recycle bin."""
        with self.org.lock:
            for record in list(self.org._records.values()):  # noqa: SLF001 - the emulator's own org
                values = record.values
                if not record.deleted and (values["Id"] == document_id or values.get("ContentDocumentId") == document_id):
                    self.org.write(record, {"IsDeleted": True})

    def hide_file(self, document_id: str) -> None:
        self.hidden.add(document_id)

    def version_data(self, version_id: str) -> bytes:
        with self.org.lock:
            record = self.org.find(version_id)
            if record is None or record.type.name != "ContentVersion" or record.deleted:
                raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
            if record.values.get("ContentDocumentId") in self.hidden:
                raise ApiError(403, "INSUFFICIENT_ACCESS_OR_READONLY",
                               "insufficient access rights on object id")
            self.downloads[record.id] = self.downloads.get(record.id, 0) + 1
            return self.data[record.id]

    def _version(self, document_id: str, title: str, data: bytes, file_type: str, extension: str, *,
                 number: int) -> str:
        version_id = self.org.insert("ContentVersion", {
            "ContentDocumentId": document_id, "Title": title, "PathOnClient": f"{title}.{extension}",
            "FileType": file_type, "FileExtension": extension, "ContentSize": len(data),
            "VersionNumber": str(number), "IsLatest": True,
        })
        self.data[version_id] = data
        document = self.org.find(document_id)
        self.org.write(document, {"LatestPublishedVersionId": version_id, "Title": title})
        return version_id

    def _versions_of(self, document_id: str) -> list:
        kind = self.org.type_named("ContentVersion")
        return sorted((r for r in self.org.records_of(kind, include_deleted=False)
                       if r.values.get("ContentDocumentId") == document_id), key=lambda r: r.values["CreatedDate"])
