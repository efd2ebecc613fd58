"""How Salesforce puts things on the wire: error bodies, datetimes, JSON responses."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

JSON_TYPE = "application/json;charset=UTF-8"


class ApiError(Exception):
    """An error answered as Salesforce does: HTTP status + `[{message, errorCode, fields?}]`."""

    def __init__(self, status: int, code: str, message: str, fields: list[str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields

    def body(self) -> list[dict[str, Any]]:
        item: dict[str, Any] = {"message": self.message, "errorCode": self.code}
        if self.fields is not None:
            item["fields"] = self.fields
        return [item]

    def save_error(self) -> dict[str, Any]:
        """The same error inside a collection SaveResult, where it is called `statusCode`."""
        return {"statusCode": self.code, "message": self.message, "fields": self.fields or []}


def no_such_column(name: str, entity: str) -> str:
    """Salesforce's words for an unknown field in a query or a `fields=` list."""
    return (
        f"No such column '{name}' on entity '{entity}'. If you are attempting to use a custom field, be sure "
        "to append the '__c' after the custom field name. Please reference your WSDL or the describe call "
        "for the appropriate names."
    )


def not_found() -> ApiError:
    return ApiError(404, "NOT_FOUND", "The requested resource does not exist")


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes = b""

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError as exc:
            raise ApiError(400, "JSON_PARSER_ERROR", f"Unexpected character in request body: {exc}") from None


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-able, bytes (a blob), or None for no body
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):  # a blob (VersionData): sent as it is
            return self.body
        text = json.dumps(self.body, ensure_ascii=False)
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate in a field: sent as its \u escape, which JSON allows
            return json.dumps(self.body).encode("utf-8")


def format_datetime(value: datetime) -> str:
    """`2021-07-21T04:13:15.000+0000`: UTC, milliseconds, no colon in the offset."""
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def to_wire(value: Any) -> Any:
    return format_datetime(value) if isinstance(value, datetime) else value
