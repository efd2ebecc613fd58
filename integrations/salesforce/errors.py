"""One error type for everything that can go wrong talking to Salesforce, saying whether to retry."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from simple_salesforce import exceptions as sf_exceptions

from integrations.errors import IntegrationError
from integrations.kit import retry_after_seconds

# Error codes that go away on their own: retry later rather than give up.
TRANSIENT_CODES = frozenset(
    {
        "REQUEST_LIMIT_EXCEEDED",
        "UNABLE_TO_LOCK_ROW",
        "SERVER_UNAVAILABLE",
        "QUERY_TIMEOUT",
        # Only reaches us after simple-salesforce's own re-logins failed (or in direct
        # mode, where it cannot re-login); a later attempt may log in again.
        "INVALID_SESSION_ID",
    }
)

# simple-salesforce's exceptions keep the status and body but drop the headers, so the
# client's session hook notes each refusal's Retry-After here (per thread: the refusal and
# the exception it becomes happen in the same thread, one right after the other).
_last_refusal = threading.local()


class SalesforceError(IntegrationError):
    service = "salesforce"

    @classmethod
    def from_simple_salesforce(cls, exc: sf_exceptions.SalesforceError) -> SalesforceError:
        if isinstance(exc, sf_exceptions.SalesforceAuthenticationFailed):
            # The token endpoint answers a JSON error code, or (non-JSON body) only its status.
            if isinstance(exc.code, int):
                return cls(
                    f"Salesforce login failed: {exc.auth_message}", status=exc.code, permanent=exc.code < 500
                )
            return cls(f"Salesforce login failed: {exc.auth_message}", code=exc.code, permanent=True)
        code, message = _first_error(exc.content)
        # The error code decides, not the exception class: UNABLE_TO_LOCK_ROW comes as 400 or 500.
        transient = code in TRANSIENT_CODES or exc.status >= 500 or exc.status in (401, 429)
        return cls(
            message or str(exc),
            code=code,
            permanent=not transient,
            retry_after=_noted_retry_after(exc.url, exc.status),
            status=exc.status,
        )

    @classmethod
    def from_requests(cls, exc: requests.RequestException) -> SalesforceError:
        # A certificate problem is configuration, not weather: retrying cannot fix it.
        transient = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
        permanent = isinstance(exc, requests.exceptions.SSLError) or not isinstance(exc, transient)
        return cls(f"Salesforce unreachable: {type(exc).__name__}: {exc}", permanent=permanent)


def note_refusal(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    """A requests response hook: remember the Retry-After of a refused call for its SalesforceError."""
    if response.status_code >= 300:
        _last_refusal.value = (response.url, response.status_code, retry_after_seconds(response.headers))


def _noted_retry_after(url: str, status: int) -> float | None:
    noted = getattr(_last_refusal, "value", None)
    _last_refusal.value = None
    # Only the very response this exception was made from counts, never an earlier one.
    if noted is not None and noted[:2] == (url, status):
        return noted[2]
    return None


def _first_error(content: Any) -> tuple[str | None, str]:
    """Salesforce error bodies are lists of {message, errorCode, fields}; anything else is opaque."""
    if isinstance(content, list) and content and isinstance(content[0], dict):
        messages = "; ".join(str(item.get("message", "")) for item in content if isinstance(item, dict))
        return content[0].get("errorCode"), messages
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    return None, str(content)[:500]


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn simple-salesforce and requests exceptions into SalesforceError (also a decorator)."""
    try:
        yield
    except sf_exceptions.SalesforceError as exc:
        raise SalesforceError.from_simple_salesforce(exc) from exc
    except requests.RequestException as exc:
        raise SalesforceError.from_requests(exc) from exc
