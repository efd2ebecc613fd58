"""The REST resources under `/services/data/vXX.X/`: query, sObject rows, describe, collections, limits."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from .ids import make_id, normalize_id
from .org import Record
from .queries import attributes, run_query
from .schema import Field
from .soql import SoqlError
from .wire import JSON_TYPE, ApiError, Request, Response, no_such_column, not_found, to_wire

if TYPE_CHECKING:
    from .faults import Fault
    from .server import SalesforceEmulator

COLLECTION_LIMIT = 200
_VERSIONED = re.compile(r"/services/data/v(?P<version>\d+\.\d)/(?P<resource>.*)")
_BATCH_SIZE = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)
_ROLLED_BACK = {
    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "message": "Record rolled back because not all records were valid and the request was using "
    "AllOrNone header",
    "fields": [],
}


class _Route(NamedTuple):
    method: str
    pattern: re.Pattern[str]
    name: str
    handler: Callable[..., Response]


class DataApi:
    def __init__(self, emulator: SalesforceEmulator):
        self.emulator = emulator
        self.org = emulator.org
        self._cursors: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        self._cursor_lock = threading.Lock()
        query, sobject, record = (
            r"(?P<endpoint>query|queryAll)",
            r"sobjects/(?P<sobject>\w+)",
            r"/(?P<record_id>\w+)",
        )
        table = [
            ("GET", query + "/?", "query", self.query),
            ("GET", query + r"/(?P<locator>\w+)-(?P<offset>\d+)", "query_more", self.query_more),
            ("GET", sobject + "/describe/?", "describe", self.describe),
            ("GET", r"sobjects/ContentVersion/(?P<version_id>\w+)/VersionData/?", "version_data", self.version_data),
            ("GET", sobject + record + "/?", "sobject_get", self.get),
            ("PATCH", sobject + record + "/?", "sobject_update", self.update),
            ("DELETE", sobject + record + "/?", "sobject_delete", self.delete),
            ("GET", sobject + "/?", "sobject_info", self.info),
            ("POST", sobject + "/?", "sobject_create", self.create),
            ("PATCH", "composite/sobjects/?", "collection_update", self.collection_update),
            ("GET", "limits/?", "limits", self.limits),
        ]
        self.routes = [
            _Route(method, re.compile(pattern), name, handler) for method, pattern, name, handler in table
        ]

    def handle(self, request: Request) -> Response:
        match = _VERSIONED.fullmatch(request.path)
        if match is None:
            return _error_response(not_found(), {})
        version, resource = match["version"], match["resource"]
        subject = f"{request.method} {request.path}?{'&'.join(f'{k}={v}' for k, v in request.query.items())}"
        emulator, faults = self.emulator, self.emulator.faults
        authorized = request.headers.get("Authorization") == f"Bearer {emulator.access_token}"
        # The fault is spent only on a call that would otherwise have been let in.
        if not authorized or faults.take("invalid_session", subject):
            return _error_response(ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid"), {})
        name, answer = self._route(request, resource, version)
        counted = emulator.count_call(name)
        headers = {"Sforce-Limit-Info": f"api-usage={emulator.api_calls}/{emulator.daily_api_limit}"}
        try:
            limited = None if not counted else faults.take("request_limit", subject)
            if not counted or limited:
                _add_retry_after(headers, limited)
                raise ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            if unavailable := faults.take("unavailable", subject):
                _add_retry_after(headers, unavailable)
                raise ApiError(
                    503, "SERVER_UNAVAILABLE", "Server temporarily unavailable. Please try again later."
                )
            if slow := faults.take("slow", subject):
                time.sleep(slow.delay)
            response = answer()
        except ApiError as error:
            return _error_response(error, headers)
        response.headers.update(headers)
        return response

    def _route(self, request: Request, resource: str, version: str) -> tuple[str, Callable[[], Response]]:
        """The route's name (for the per-endpoint tally) and a call that answers or raises ApiError."""
        matched = [
            (route, m.groupdict()) for route in self.routes if (m := route.pattern.fullmatch(resource))
        ]
        for route, arguments in matched:
            if route.method == request.method:
                return route.name, partial(route.handler, request, version=version, **arguments)
        if matched:
            allowed = ",".join(route.method for route, _ in matched)
            refusal = ApiError(
                405,
                "METHOD_NOT_ALLOWED",
                f"HTTP Method '{request.method}' not allowed. Allowed are {allowed}",
            )
            return "method_not_allowed", partial(_raise, refusal)
        return "not_found", partial(_raise, not_found())

    # -- query -------------------------------------------------------------------

    def query(self, request: Request, *, version: str, endpoint: str) -> Response:
        text = request.query.get("q")
        if not text:
            raise ApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
        with self.org.lock:
            try:
                rows = run_query(text, self.org, include_deleted=endpoint == "queryAll", api_version=version)
            except SoqlError as error:
                raise ApiError(400, error.code, error.describe(text)) from None
        size = self._batch_size(request)
        if len(rows) <= size:  # one page: no cursor to keep
            return self._page(endpoint, rows, "", 0, size, version)
        with self._cursor_lock:
            locator = make_id("01g", len(self._cursors) + 1)
            self._cursors[locator] = (endpoint, rows)
        return self._page(endpoint, rows, locator, 0, size, version)

    def query_more(
        self, request: Request, *, version: str, endpoint: str, locator: str, offset: str
    ) -> Response:
        if locator not in self._cursors:
            raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        endpoint, rows = self._cursors[locator]
        return self._page(endpoint, rows, locator, int(offset), self._batch_size(request), version)

    def _batch_size(self, request: Request) -> int:
        # Sforce-Query-Options: batchSize=N is a request between 200 and 2000, not a promise.
        match = _BATCH_SIZE.search(request.headers.get("Sforce-Query-Options", ""))
        return min(max(int(match[1]), 200), 2000) if match else self.emulator.page_size

    def _page(
        self, endpoint: str, rows: list[dict[str, Any]], locator: str, offset: int, size: int, version: str
    ) -> Response:
        end = offset + size
        body: dict[str, Any] = {"totalSize": len(rows), "done": end >= len(rows)}
        if end < len(rows):
            body["nextRecordsUrl"] = f"/services/data/v{version}/{endpoint}/{locator}-{end}"
        body["records"] = rows[offset:end]
        return _json(200, body)

    # -- sObject rows ------------------------------------------------------------

    def version_data(self, request: Request, *, version: str, version_id: str) -> Response:
        """A file version's bytes: binary, not JSON (REST API, "Get Blob Data")."""
        data = self.emulator.files.version_data(version_id)
        return Response(200, data, {"Content-Type": "application/octet-stream"})

    def describe(self, request: Request, *, version: str, sobject: str) -> Response:
        with self.org.lock:
            return _json(200, self.org.type_named(sobject).describe())

    def info(self, request: Request, *, version: str, sobject: str) -> Response:
        with self.org.lock:
            description = self.org.type_named(sobject).describe()
        description.pop("fields")
        return _json(200, {"objectDescribe": description, "recentItems": []})

    def get(self, request: Request, *, version: str, sobject: str, record_id: str) -> Response:
        with self.org.lock:
            record = self._record(sobject, record_id)
            if record.deleted:
                raise not_found()
            names = [n for n in request.query.get("fields", "").split(",") if n.strip()]
            fields = [self._field_named(record, n.strip()) for n in names] or list(
                record.type.fields.values()
            )
            body = {"attributes": attributes(record, version)}
            body.update((f.name, to_wire(record.values[f.name])) for f in fields)
            return _json(200, body)

    def create(self, request: Request, *, version: str, sobject: str) -> Response:
        data = _json_object(request)
        with self.org.lock:
            record_id = self.org.create(self.org.type_named(sobject), data)
        return _json(201, {"id": record_id, "success": True, "errors": []})

    def update(self, request: Request, *, version: str, sobject: str, record_id: str) -> Response:
        data = _json_object(request)
        with self.org.lock:
            record = self._writable(self._record(sobject, record_id))
            self.org.write(record, self.org.prepare(record.type, data, creating=False))
        return Response(204)

    def delete(self, request: Request, *, version: str, sobject: str, record_id: str) -> Response:
        with self.org.lock:
            record = self._writable(self._record(sobject, record_id))
            self.org.write(record, {"IsDeleted": True})
        return Response(204)

    def _record(self, sobject: str, record_id: str) -> Record:
        sobject_type = self.org.type_named(sobject)
        record = self.org.find(record_id)
        if record is None or record.type is not sobject_type:
            raise not_found()
        return record

    def _writable(self, record: Record) -> Record:
        if record.deleted:
            raise ApiError(404, "ENTITY_IS_DELETED", "entity is deleted", [])
        if self.emulator.faults.take("lock_row", record.id):
            raise ApiError(
                400,
                "UNABLE_TO_LOCK_ROW",
                f"unable to obtain exclusive access to this record or 1 records: {record.id}",
            )
        return record

    def _field_named(self, record: Record, name: str) -> Field:
        field = record.type.field(name)
        if field is None:
            raise ApiError(400, "INVALID_FIELD", no_such_column(name, record.type.name))
        return field

    # -- sObject Collections -----------------------------------------------------

    def collection_update(self, request: Request, *, version: str) -> Response:
        body = _json_object(request)
        records = body.get("records")
        if not isinstance(records, list):
            raise ApiError(
                400, "JSON_PARSER_ERROR", "Cannot deserialize the request: 'records' must be an array"
            )
        if len(records) > COLLECTION_LIMIT:
            raise ApiError(
                400,
                "EXCEEDED_ID_LIMIT",
                f"record limit reached. cannot submit more than {COLLECTION_LIMIT} records into this call",
            )
        with self.org.lock:
            # Check every record first, so allOrNone can refuse the whole call before writing anything.
            plans = [self._plan_update(item) for item in records]
            failed = any(isinstance(plan, ApiError) for plan in plans)
            results = []
            for plan in plans:
                if isinstance(plan, ApiError):
                    results.append({"success": False, "errors": [plan.save_error()]})
                elif failed and body.get("allOrNone"):
                    results.append({"id": plan[0].id, "success": False, "errors": [_ROLLED_BACK]})
                else:
                    record, values = plan
                    self.org.write(record, values)
                    results.append({"id": record.id, "success": True, "errors": []})
        return _json(200, results)

    def _plan_update(self, item: Any) -> tuple[Record, dict[str, Any]] | ApiError:
        try:
            if not isinstance(item, dict):
                raise ApiError(400, "JSON_PARSER_ERROR", "Each record must be a JSON object")
            data = dict(item)
            sobject = (data.pop("attributes", None) or {}).get("type")
            if not sobject:
                raise ApiError(400, "INVALID_TYPE", "Must send a concrete entity type.")
            sobject_type = self.org.types.get(sobject.lower())
            if sobject_type is None:
                raise ApiError(400, "INVALID_TYPE", f"sObject type '{sobject}' is not supported.")
            id_key = next((key for key in data if key.lower() == "id"), None)
            if id_key is None:
                raise ApiError(400, "MISSING_ARGUMENT", "Id not specified in an update call", [])
            record_id = data.pop(id_key)
            if normalize_id(record_id) is None:
                raise ApiError(400, "MALFORMED_ID", f"malformed id {record_id}", [])
            record = self.org.find(record_id)
            if record is None or record.type is not sobject_type:
                raise ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [])
            return self._writable(record), self.org.prepare(sobject_type, data, creating=False)
        except ApiError as error:
            return error

    # -- limits ------------------------------------------------------------------

    def limits(self, request: Request, *, version: str) -> Response:
        limit = self.emulator.daily_api_limit
        return _json(
            200,
            {
                "DailyApiRequests": {"Max": limit, "Remaining": max(limit - self.emulator.api_calls, 0)},
                "DataStorageMB": {"Max": 5, "Remaining": 5},
            },
        )


def _json(status: int, body: Any) -> Response:
    return Response(status, body, {"Content-Type": JSON_TYPE})


def _json_object(request: Request) -> dict[str, Any]:
    data = request.json()
    if not isinstance(data, dict):
        raise ApiError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
    return data


def _add_retry_after(headers: dict[str, str], fault: Fault | None) -> None:
    if fault is not None and fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)


def _error_response(error: ApiError, headers: dict[str, str]) -> Response:
    return Response(error.status, error.body(), {"Content-Type": JSON_TYPE, **headers})


def _raise(error: ApiError) -> Response:
    raise error
