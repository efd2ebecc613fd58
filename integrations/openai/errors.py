"""Sort OpenAI failures into 'try again later' and 'stop and say why'."""

from __future__ import annotations

import sys

import httpx2
import openai

from integrations.errors import IntegrationError
from integrations.kit import retry_after_seconds

# In-band `error.code`s of a failed background response that are worth another try.
TRANSIENT_RESPONSE_ERRORS = frozenset({"server_error", "rate_limit_exceeded", "vector_store_timeout"})
# 429s that are about money, not speed: retrying cannot help.
BILLING_CODES = frozenset({
    "insufficient_quota", "credit_balance_exhausted", "organization_spend_limit_exceeded",
    "project_spend_limit_exceeded", "organization_usage_limit_exceeded",
})

# Failures caused by what one request carries — the pitch's own text, a page a tool fetched,
# an unreadable image or file — not by the setup: the next pitch would not fail this way, so
# they count against that pitch alone. In-band `error.code`s (ResponseErrorCode in the
# OpenAPI description) and 400 `code`s (context overflow, an input string over the limit).
REQUEST_CONTENT_CODES = frozenset({
    "invalid_prompt", "bio_policy", "misalignment_policy_violation", "content_filter", "content_policy_violation",
    "context_length_exceeded", "string_above_max_length",
    "invalid_image", "invalid_image_format", "invalid_base64_image", "invalid_image_url", "image_too_large",
    "image_too_small", "image_parse_error", "image_content_policy_violation", "invalid_image_mode",
    "image_file_too_large", "unsupported_image_media_type", "empty_image_file", "failed_to_download_image",
    "image_file_not_found", "invalid_file", "unsupported_file",
})
# 400s that name a parameter of the setup (the assistant's model, tools, schema or options):
# no pitch text can cause them.
SETUP_REQUEST_CODES = frozenset({
    "unsupported_parameter", "unknown_parameter", "unsupported_value", "model_not_found", "invalid_api_key",
    "data_residency_mismatch", "unsupported_country_region_territory",
    # Error types, recorded as the code when OpenAI sends none.
    "authentication_error", "permission_error", "insufficient_quota", "access_terminated",
})


class Fault:
    """Whose failure a permanent error is (see `fault_of`)."""

    REQUEST = "request"  # the request's content: that pitch's attempt
    SETUP = "setup"  # key, permission, model, quota, an option every request now sends
    UNCLEAR = "unclear"  # a 400 the code alone cannot place: the setup if it recurs on another pitch


def fault_of(code: str, status: int | None) -> str:
    """Whose failure a permanent OpenAI error is, from its code and HTTP status (None: the
    status is not known any more, e.g. read back from a run's recorded error code)."""
    if code in REQUEST_CONTENT_CODES:
        return Fault.REQUEST
    if code in BILLING_CODES or code in SETUP_REQUEST_CODES or status in (401, 403, 404):
        return Fault.SETUP
    return Fault.UNCLEAR if status in (400, None) else Fault.REQUEST


# Transport failures that happen before a byte of the request is written, so OpenAI cannot
# have created anything: no connection could be made (refused, unreachable, DNS, TLS
# handshake — httpcore maps every failure of connect_tcp/start_tls to these two), or none
# came free in the pool (PoolTimeout is raised only while waiting for a pooled connection).
# Anything else — a read/write timeout, a reset or a server that hung up — may come after
# the request was sent, so whether the response exists is unknown.
_NEVER_SENT_NAMES = ("ConnectError", "ConnectTimeout", "PoolTimeout")


class OpenAIError(IntegrationError):
    """An OpenAI call that failed. `outcome_unknown`: the request may have reached OpenAI
    (and so may have created a response) even though we never got the answer."""

    service = "openai"

    def __init__(
        self,
        message: str,
        *,
        code: str,
        permanent: bool,
        retry_after: float | None = None,
        status: int | None = None,
        outcome_unknown: bool = False,
    ):
        super().__init__(message, code=code, permanent=permanent, retry_after=retry_after, status=status)
        self.outcome_unknown = outcome_unknown

    @property
    def transient(self) -> bool:
        """Worth another try later (the run engine's word for `not permanent`)."""
        return not self.permanent

    @property
    def fault(self) -> str:
        return fault_of(self.code, self.status)

    @property
    def systemic(self) -> bool:
        """Possibly about the setup, not the request: a revoked key, a missing permission, a retired
        model, exhausted quota, or a 400 that may follow an assistant edit (`Fault.UNCLEAR`: the
        caller tells which by whether other requests fail the same way). A 400 caused by the
        request's own content (invalid_prompt, context_length_exceeded, …) is never systemic."""
        return self.permanent and (self.status in (400, 401, 403, 404) or self.code in BILLING_CODES) \
            and self.fault != Fault.REQUEST

    def __repr__(self) -> str:
        return f"{super().__repr__()[:-1]}, outcome_unknown={self.outcome_unknown})"


def classify(exc: Exception) -> OpenAIError:
    if isinstance(exc, openai.APIConnectionError):  # APITimeoutError included: it subclasses this
        timeout = isinstance(exc, openai.APITimeoutError)
        if never_sent(exc):
            if timeout:
                return OpenAIError("OpenAI did not accept a connection in time", code="connect_timeout",
                                   permanent=False)
            return OpenAIError(f"Could not reach OpenAI: {exc}", code="connection_error", permanent=False)
        what = "OpenAI did not answer in time" if timeout else f"The connection to OpenAI failed: {exc}"
        return OpenAIError(
            what, code="timeout" if timeout else "connection_lost", permanent=False, outcome_unknown=True
        )
    if isinstance(exc, openai.APIStatusError):
        code = exc.code or _error_type(exc) or f"http_{exc.status_code}"
        message = f"HTTP {exc.status_code}: {_error_message(exc)}"
        retry_after = retry_after_seconds(exc.response.headers)
        if exc.status_code == 429:
            billing = code in BILLING_CODES or _error_type(exc) == "insufficient_quota"
            return OpenAIError(message, code=code, permanent=billing, retry_after=retry_after, status=429)
        transient = exc.status_code in (408, 409) or exc.status_code >= 500
        return OpenAIError(
            message, code=code, permanent=not transient, retry_after=retry_after, status=exc.status_code
        )
    raise exc  # not an OpenAI failure: a bug of ours, let it surface


def never_sent(exc: BaseException) -> bool:
    """Whether the SDK's connection error provably failed before the request left us.

    The SDK raises `APITimeoutError`/`APIConnectionError(...) from err`, `err` being the
    transport's exception (httpx2's, or legacy httpx's when a caller passed such a client).
    """
    cause = exc.__cause__ or exc.__context__
    return cause is not None and isinstance(cause, _never_sent_types())


def _never_sent_types() -> tuple[type[BaseException], ...]:
    types = tuple(getattr(httpx2, name) for name in _NEVER_SENT_NAMES)
    legacy = sys.modules.get("httpx")  # only if something already imported it: never import it for this
    if legacy is not None:
        types += tuple(getattr(legacy, name) for name in _NEVER_SENT_NAMES)
    return types


def _error_body(exc: openai.APIStatusError) -> dict:
    body = exc.body if isinstance(exc.body, dict) else {}
    return body.get("error", body) if isinstance(body.get("error", body), dict) else {}


def _error_type(exc: openai.APIStatusError) -> str | None:
    return exc.type or _error_body(exc).get("type")


def _error_message(exc: openai.APIStatusError) -> str:
    return _error_body(exc).get("message") or exc.message
