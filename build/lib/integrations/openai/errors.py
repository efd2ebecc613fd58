"""Sort OpenAI failures into 'try again later' and 'stop and say why'."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from time import time

import openai

# In-band `error.code`s of a failed background response that are worth another try.
TRANSIENT_RESPONSE_ERRORS = frozenset({"server_error", "rate_limit_exceeded", "vector_store_timeout"})
# 429s that are about money, not speed: retrying cannot help.
BILLING_CODES = frozenset({
    "insufficient_quota", "credit_balance_exhausted", "organization_spend_limit_exceeded",
    "project_spend_limit_exceeded", "organization_usage_limit_exceeded",
})


@dataclass(frozen=True)
class OpenAIFailure:
    code: str
    message: str
    transient: bool
    retry_after: float | None = None
    # A timeout: the request may or may not have created a response at OpenAI.
    outcome_unknown: bool = False


def classify(exc: Exception) -> OpenAIFailure:
    if isinstance(exc, openai.APITimeoutError):
        return OpenAIFailure("timeout", "OpenAI did not answer in time", transient=True, outcome_unknown=True)
    if isinstance(exc, openai.APIConnectionError):
        return OpenAIFailure("connection_error", f"Could not reach OpenAI: {exc}", transient=True)
    if isinstance(exc, openai.APIStatusError):
        code = exc.code or _error_type(exc) or f"http_{exc.status_code}"
        message = f"HTTP {exc.status_code}: {_error_message(exc)}"
        if exc.status_code == 429:
            billing = code in BILLING_CODES or _error_type(exc) == "insufficient_quota"
            return OpenAIFailure(code, message, transient=not billing, retry_after=retry_after_seconds(exc.response))
        transient = exc.status_code in (408, 409) or exc.status_code >= 500
        return OpenAIFailure(code, message, transient=transient, retry_after=retry_after_seconds(exc.response))
    raise exc  # not an OpenAI failure: a bug of ours, let it surface


def retry_after_seconds(response) -> float | None:
    headers = response.headers
    if value := headers.get("retry-after-ms"):
        try:
            return float(value) / 1000
        except ValueError:
            pass
    if value := headers.get("retry-after"):
        try:
            return float(value)
        except ValueError:
            try:
                return max(parsedate_to_datetime(value).timestamp() - time(), 0.0)
            except (TypeError, ValueError):
                return None
    return None


def _error_body(exc: openai.APIStatusError) -> dict:
    body = exc.body if isinstance(exc.body, dict) else {}
    return body.get("error", body) if isinstance(body.get("error", body), dict) else {}


def _error_type(exc: openai.APIStatusError) -> str | None:
    return exc.type or _error_body(exc).get("type")


def _error_message(exc: openai.APIStatusError) -> str:
    return _error_body(exc).get("message") or exc.message
