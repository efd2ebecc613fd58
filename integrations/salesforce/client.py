"""A thin typed client over simple-salesforce: one login per process, bounded calls, typed errors."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from itertools import batched
from typing import Any

import requests
from simple_salesforce import Salesforce, format_soql

from integrations.kit import ClientSlot

from .config import SalesforceConfig
from .errors import SalesforceError, note_refusal, translate_errors
from .save_result import SaveResult
from .transport import apply_timeout, parse_api_usage

# on_call(method, url, status_code, elapsed_seconds, api_usage) after every HTTP round trip.
OnCall = Callable[[str, str, int, float, tuple[int, int] | None], None]

# sObject Collections take at most 200 records per request (and bill it as one API call).
COLLECTION_LIMIT = 200

_RECORD_ID = re.compile(r"[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?")
_API_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


class SalesforceClient:
    def __init__(
        self,
        config: SalesforceConfig,
        *,
        session: requests.Session | None = None,
        on_call: OnCall | None = None,
    ):
        self.config = config
        self.on_call = on_call
        self.api_usage: tuple[int, int] | None = None  # latest (used, max) from Sforce-Limit-Info
        self.calls_made = 0  # every HTTP round trip, token requests included
        # The same, per thread: a threads-pool worker shares this client between tasks, and a
        # caller that tallies its own calls must not count a tool's calls made meanwhile.
        self._thread_calls = threading.local()
        # requests honours REQUESTS_CA_BUNDLE only while trust_env is on, so it stays on.
        self.session = apply_timeout(session or requests.Session(), config.timeout)
        self.session.hooks["response"].append(self._record_call)
        self.session.hooks["response"].append(note_refusal)  # the Retry-After simple-salesforce drops
        self._salesforce: Salesforce | None = None
        self._login_lock = threading.Lock()
        self._field_lengths: dict[str, dict[str, int]] = {}

    def _record_call(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        # A session hook sees every response, also those of the SFType objects whose
        # api_usage simple-salesforce keeps to itself.
        usage = parse_api_usage(response.headers.get("Sforce-Limit-Info"))
        self.calls_made += 1
        self._thread_calls.count = self.calls_in_this_thread + 1
        if usage:
            self.api_usage = usage
        if self.on_call:
            request = response.request
            self.on_call(
                request.method, request.url, response.status_code, response.elapsed.total_seconds(), usage
            )

    @property
    def calls_in_this_thread(self) -> int:
        return getattr(self._thread_calls, "count", 0)

    @property
    def salesforce(self) -> Salesforce:
        """Built once, so the token is fetched once; simple-salesforce re-logs in on INVALID_SESSION_ID."""
        with self._login_lock:
            if self._salesforce is None:
                with translate_errors():
                    self._salesforce = Salesforce(**self._login_arguments())
            return self._salesforce

    def _login_arguments(self) -> dict[str, Any]:
        config = self.config
        common = {"version": config.api_version, "session": self.session, "object_pairs_hook": dict}
        match config.auth_mode:
            case "client_credentials":
                return common | {
                    "consumer_key": config.client_id,
                    "consumer_secret": config.client_secret,
                    "domain": config.domain,
                }
            case "jwt":
                # No instance_url here: in the JWT flow simple-salesforce takes it as the token host stem.
                return common | {
                    "username": config.username,
                    "consumer_key": config.consumer_key,
                    "privatekey": config.private_key,
                    "domain": config.domain or "login",
                }
            case "direct":
                return common | {"instance_url": config.instance_url, "session_id": config.access_token}
        raise SalesforceError("Salesforce is not configured", code="NOT_CONFIGURED", permanent=True)

    def query_iter(
        self, soql: str, /, *, include_deleted: bool = False, page_size: int | None = None, **values: Any
    ) -> Iterator[dict[str, Any]]:
        """Every record of a SOQL query, page after page; `values` are inserted with format_soql.

        `page_size` (200-2000) is a hint Salesforce may ignore (Sforce-Query-Options).
        """
        if values:
            soql = format_soql(soql, **values)
        headers = {"Sforce-Query-Options": f"batchSize={page_size}"} if page_size else {}
        with translate_errors():
            for record in self.salesforce.query_all_iter(soql, include_deleted=include_deleted, headers=headers):
                yield _without_attributes(record)

    def get(self, sobject: str, record_id: str, fields: list[str] | None = None) -> dict[str, Any]:
        params = {"fields": ",".join(_api_name(f) for f in fields)} if fields else None
        with translate_errors():
            record = self.salesforce.restful(
                f"sobjects/{_api_name(sobject)}/{_record_id(record_id)}", params=params
            )
        return _without_attributes(record)

    # Writes go through restful() rather than sf.<Object>: SFType retries a 401 without bound.
    def create(self, sobject: str, data: dict[str, Any]) -> str:
        with translate_errors():
            result = self.salesforce.restful(f"sobjects/{_api_name(sobject)}", method="POST", json=data)
        return result["id"]

    def update(self, sobject: str, record_id: str, data: dict[str, Any]) -> None:
        with translate_errors():
            self.salesforce.restful(
                f"sobjects/{_api_name(sobject)}/{_record_id(record_id)}", method="PATCH", json=data
            )

    def update_many(self, sobject: str, records: list[dict[str, Any]]) -> list[SaveResult]:
        """Update records (each with "Id") in sObject Collections calls; one SaveResult per record, in order.

        A call that fails as a whole raises SalesforceError. Chunks written before it
        stay written; repeating them later is harmless because an update is idempotent.
        """
        results: list[SaveResult] = []
        for chunk in batched(records, COLLECTION_LIMIT):
            payload = [
                {"attributes": {"type": _api_name(sobject)}, "id": _record_id(record["Id"])}
                | {field: value for field, value in record.items() if field != "Id"}
                for record in chunk
            ]
            with translate_errors():
                answer = self.salesforce.restful(
                    "composite/sobjects", method="PATCH", json={"allOrNone": False, "records": payload}
                )
            # Failed records carry no id: the answer is matched to the request by position.
            results.extend(SaveResult.from_wire(r["Id"], item) for r, item in zip(chunk, answer, strict=True))
        return results

    def describe_field_lengths(self, sobject: str) -> dict[str, int]:
        """Maximum length of each text field (cached), so write-backs can be cut to fit."""
        if sobject not in self._field_lengths:
            with translate_errors():
                description = self.salesforce.restful(f"sobjects/{_api_name(sobject)}/describe")
            self._field_lengths[sobject] = {
                f["name"]: f["length"] for f in description["fields"] if f.get("length")
            }
        return self._field_lengths[sobject]

    def limits(self) -> dict[str, Any]:
        with translate_errors():
            return self.salesforce.limits()


def soql_literal(value: Any) -> str:
    """`value` as a SOQL literal (quoted and escaped by simple-salesforce's format_soql).

    For building a query around text that must NOT be formatted (an operator's condition,
    whose braces are literal): format only the values, then concatenate.
    """
    return format_soql("{}", value)


def _without_attributes(value: Any) -> Any:
    """Drop the `attributes` (type, url) Salesforce puts on every record and nested parent."""
    if isinstance(value, dict):
        return {key: _without_attributes(item) for key, item in value.items() if key != "attributes"}
    if isinstance(value, list):
        return [_without_attributes(item) for item in value]
    return value


def _record_id(value: str) -> str:
    # Ids end up in URL paths: anything but 15/18 alphanumerics could reach another resource.
    if not isinstance(value, str) or not _RECORD_ID.fullmatch(value):
        raise ValueError(f"Not a Salesforce record id: {value!r}")
    return value


def _api_name(value: str) -> str:
    if not isinstance(value, str) or not _API_NAME.fullmatch(value):
        raise ValueError(f"Not a Salesforce API name: {value!r}")
    return value


# One client per process for the settings it was built from (integrations.kit.client_slot): one login
# per process, and a new one when the settings change or after a fork.
_slot = ClientSlot(SalesforceClient, SalesforceConfig.from_settings)


def get_client() -> SalesforceClient:
    """The process-wide client, built from Django settings on first use."""
    return _slot.get()


def reset_client() -> None:
    """Forget the process-wide client (tests, or after settings change)."""
    _slot.reset()
