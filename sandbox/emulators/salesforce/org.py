"""The in-memory org: sObject types, records, and the bookkeeping every write does."""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .files import file_types
from .ids import custom_key_prefix, make_id, normalize_id
from .schema import Field, SObjectType, standard_types, system_fields
from .wire import ApiError

_MS = timedelta(milliseconds=1)


@dataclass
class Record:
    type: SObjectType
    values: dict[str, Any]  # canonical field name → Python value (datetimes aware, UTC)

    @property
    def id(self) -> str:
        return self.values["Id"]

    @property
    def deleted(self) -> bool:
        return self.values["IsDeleted"]


class Org:
    """Thread-safe: the server's handler threads and the test process share it through `lock`."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.types: dict[str, SObjectType] = {t.name.lower(): t for t in [*standard_types(), *file_types()]}
        self._records: dict[str, Record] = {}
        self.writes: Counter[str] = Counter()  # record id → inserts and updates, for exactly-once checks
        self._serial = 0
        self._last_stamp = datetime.min.replace(tzinfo=UTC)
        self.org_id = self._next_id("00D")
        self.integration_user_id = self._add_user("Vicbot Integration", "vicbot-integration@example.com")
        # Someone else editing records (a salesperson), for tests of "ignore our own writes".
        self.human_user_id = self._add_user("Sam Sales", "sam.sales@example.com")

    # -- the test side -------------------------------------------------------

    def define(self, sobject: str, *fields: Field) -> SObjectType:
        """Add fields to a type, or a new custom type (with the standard system fields)."""
        with self.lock:
            existing = self.types.get(sobject.lower())
            if existing is None:
                custom_count = sum(t.name.endswith("__c") for t in self.types.values())
                existing = SObjectType(sobject, custom_key_prefix(custom_count + 1))
                existing.add(*system_fields(), Field("Name", "string", 80, nillable=False))
                self.types[sobject.lower()] = existing
            existing.add(*fields)
            for record in self._records.values():  # records made before the field existed read it as null
                if record.type is existing:
                    for field in fields:
                        record.values.setdefault(field.name, None)
            return existing

    def clear(self) -> None:
        """Forget every record but the users: a fresh org for the next test."""
        with self.lock:
            self._records = {rid: r for rid, r in self._records.items() if r.type.name == "User"}
            self.writes.clear()

    def insert(self, sobject: str, fields: dict[str, Any], *, modified_by: str | None = None) -> str:
        with self.lock:
            return self.create(self.type_named(sobject), fields, modified_by=modified_by)

    def update(self, record_id: str, fields: dict[str, Any], *, modified_by: str | None = None) -> None:
        with self.lock:
            record = self._live(record_id)
            self.write(record, self.prepare(record.type, fields, creating=False), modified_by=modified_by)

    def get(self, record_id: str) -> dict[str, Any]:
        with self.lock:
            record = self.find(record_id)
            if record is None:
                raise KeyError(record_id)
            return dict(record.values)

    def delete(self, record_id: str) -> None:
        """Move a record to the recycle bin: only queryAll still sees it; writes get ENTITY_IS_DELETED."""
        with self.lock:
            record = self._live(record_id)
            self.write(record, {"IsDeleted": True})

    # -- what the REST API uses ------------------------------------------------

    def type_named(self, name: str) -> SObjectType:
        found = self.types.get(name.lower())
        if found is None:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        return found

    def find(self, record_id: str) -> Record | None:
        normalized = normalize_id(record_id)
        return self._records.get(normalized) if normalized else None

    def records_of(self, sobject_type: SObjectType, *, include_deleted: bool) -> list[Record]:
        return [
            r for r in self._records.values() if r.type is sobject_type and (include_deleted or not r.deleted)
        ]

    def create(
        self, sobject_type: SObjectType, data: dict[str, Any], *, modified_by: str | None = None
    ) -> str:
        values = self.prepare(sobject_type, data, creating=True)
        record_id = self._next_id(sobject_type.key_prefix)
        record = Record(sobject_type, {f.name: None for f in sobject_type.fields.values()})
        record.values.update(
            Id=record_id, IsDeleted=False, CreatedById=modified_by or self.integration_user_id
        )
        self._records[record_id] = record
        self.write(record, values, modified_by=modified_by, created=True)
        return record_id

    def prepare(self, sobject_type: SObjectType, data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
        """Check a write body as Salesforce does and return it keyed by canonical field names."""
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key == "attributes":
                continue
            field = sobject_type.field(key)
            if field is None:
                raise ApiError(
                    400, "INVALID_FIELD", f"No such column '{key}' on sobject of type {sobject_type.name}"
                )
            if not (field.createable if creating else field.updateable):
                raise ApiError(
                    400,
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Unable to create/update fields: {field.name}. Please check the security settings of "
                    "this field and verify that it is read/write for your profile or permission set.",
                    [field.name],
                )
            values[field.name] = self._coerce(field, value)
        if creating:
            missing = [
                f.name for f in sobject_type.fields.values() if f.required and values.get(f.name) is None
            ]
            if missing:
                raise ApiError(
                    400,
                    "REQUIRED_FIELD_MISSING",
                    f"Required fields are missing: [{', '.join(missing)}]",
                    missing,
                )
        return values

    def write(
        self, record: Record, values: dict[str, Any], *, modified_by: str | None = None, created: bool = False
    ) -> None:
        """Apply checked values; like Salesforce, every write moves SystemModstamp and LastModifiedDate."""
        record.values.update(values)
        name_field = record.type.field("Name")
        if name_field and not name_field.createable and record.type.field("LastName"):
            record.values["Name"] = " ".join(
                p for p in (record.values.get("FirstName"), record.values["LastName"]) if p
            )
        stamp = self._next_stamp()
        record.values.update(SystemModstamp=stamp, LastModifiedDate=stamp)
        record.values["LastModifiedById"] = modified_by or self.integration_user_id
        self.writes[record.values["Id"]] += 1
        if created:
            record.values["CreatedDate"] = stamp

    # -- internals -------------------------------------------------------------

    def _live(self, record_id: str) -> Record:
        record = self.find(record_id)
        if record is None:
            raise KeyError(record_id)
        if record.deleted:
            raise ApiError(404, "ENTITY_IS_DELETED", "entity is deleted", [])
        return record

    def _coerce(self, field: Field, value: Any) -> Any:
        if value is None:
            if field.required:
                raise ApiError(
                    400,
                    "REQUIRED_FIELD_MISSING",
                    f"Required fields are missing: [{field.name}]",
                    [field.name],
                )
            return None
        if field.is_text:
            if isinstance(value, (dict, list)):
                raise _parser_error(field, value)
            text = value if isinstance(value, str) else json.dumps(value)
            if len(text) > field.length:
                shown = text if len(text) <= 100 else text[:100] + "..."
                raise ApiError(
                    400,
                    "STRING_TOO_LONG",
                    f"{field.name}: data value too large: {shown} (max length={field.length})",
                    [field.name],
                )
            if field.type == "email" and not _looks_like_email(text):
                raise ApiError(
                    400, "INVALID_EMAIL_ADDRESS", f"{field.name}: invalid email address: {text}", [field.name]
                )
            return text or None  # Salesforce stores an empty string as null
        if field.type == "reference":
            target_id = normalize_id(value)
            if target_id is None:
                raise ApiError(
                    400, "MALFORMED_ID", f"{field.name}: id value of incorrect type: {value}", [field.name]
                )
            target = self._records.get(target_id)
            if target is None or target.deleted or target.type.name != field.reference_to:
                raise ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [field.name])
            return target_id
        if field.type == "boolean" and isinstance(value, bool):
            return value
        if field.type == "double" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        if field.type == "datetime" and isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                raise _parser_error(field, value) from None
            if parsed.tzinfo is not None:
                return parsed.astimezone(UTC)
        raise _parser_error(field, value)

    def _next_id(self, key_prefix: str) -> str:
        self._serial += 1
        return make_id(key_prefix, self._serial)

    def _next_stamp(self) -> datetime:
        # Millisecond precision like Salesforce, and strictly increasing so watermarks are exact.
        now = datetime.now(UTC)
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        self._last_stamp = max(now, self._last_stamp + _MS)
        return self._last_stamp

    def _add_user(self, name: str, email: str) -> str:
        user_type = self.types["user"]
        record_id = self._next_id(user_type.key_prefix)
        record = Record(user_type, {f.name: None for f in user_type.fields.values()})
        record.values.update(
            Id=record_id, IsDeleted=False, CreatedById=record_id, Name=name, Username=email, Email=email
        )
        self._records[record_id] = record
        self.write(record, {}, modified_by=record_id, created=True)
        return record_id


def _looks_like_email(text: str) -> bool:
    local, at, domain = text.rpartition("@")
    return bool(at and local and "." in domain and " " not in text)


def _parser_error(field: Field, value: Any) -> ApiError:
    return ApiError(
        400,
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {field.type} from value {json.dumps(value)} for field {field.name}",
    )
