"""One error type for everything that can go wrong talking to Salesforce, saying whether to retry."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from simple_salesforce import exceptions as sf_exceptions

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


class SalesforceError(Exception):
    def __init__(self, message: str, *, code: str | None = None, permanent: bool, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.permanent = permanent
        self.status = status

    def __repr__(self) -> str:
        return (
            f"SalesforceError({self.message!r}, code={self.code!r}, "
            f"permanent={self.permanent}, status={self.status})"
        )

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
        transient = code in TRANSIENT_CODES or exc.status >= 500 or exc.status == 401
        return cls(message or str(exc), code=code, permanent=not transient, status=exc.status)

    @classmethod
    def from_requests(cls, exc: requests.RequestException) -> SalesforceError:
        # A certificate problem is configuration, not weather: retrying cannot fix it.
        transient = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
        permanent = isinstance(exc, requests.exceptions.SSLError) or not isinstance(exc, transient)
        return cls(f"Salesforce unreachable: {type(exc).__name__}: {exc}", permanent=permanent)


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
