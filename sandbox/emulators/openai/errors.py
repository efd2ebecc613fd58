"""OpenAI's error envelope, and the errors the emulator raises while handling a request.

Every non-2xx reply carries ``{"error": {"message", "type", "param", "code"}}``
(spec schema ``ErrorResponse``); the SDK copies ``type``, ``param`` and ``code``
onto the exception it raises, so clients branch on them and we must get them right.
"""

from __future__ import annotations

from typing import Any

INVALID_REQUEST = "invalid_request_error"
KEYS_URL = "https://platform.openai.com/account/api-keys"


class ApiError(Exception):
    """An HTTP error reply: status, OpenAI error body and any extra headers."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = INVALID_REQUEST,
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def bad_request(message: str, *, param: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(400, message, param=param, code=code)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


def invalid_api_key(presented: str | None) -> ApiError:
    if not presented:
        message = (
            "You didn't provide an API key. You need to provide your API key in an Authorization "
            "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an "
            f"API key from {KEYS_URL}."
        )
    else:
        # OpenAI never echoes a whole key back; it masks all but the last four characters.
        masked = presented[:3] + "*" * max(len(presented) - 7, 0) + presented[-4:]
        message = f"Incorrect API key provided: {masked}. You can find your API key at {KEYS_URL}."
    return ApiError(401, message, code="invalid_api_key")


def injected(
    status: int,
    *,
    model: str,
    code: str | None = None,
    type: str | None = None,
    message: str | None = None,
    retry_after: float | str | None = None,
    retry_after_ms: float | None = None,
) -> ApiError:
    """The error reply of an HTTP fault, with OpenAI's usual wording per status."""
    headers: dict[str, str] = {}
    if retry_after is not None:
        headers["retry-after"] = _header_number(retry_after)
    if retry_after_ms is not None:
        headers["retry-after-ms"] = _header_number(retry_after_ms)

    if status == 401:
        error = invalid_api_key("sk-revoked-key")
        error.headers = headers
        return error
    if status == 429 and "insufficient_quota" in (code, type):
        default_message = (
            "You exceeded your current quota, please check your plan and billing details. For more "
            "information on this error, read the docs: "
            "https://platform.openai.com/docs/guides/error-codes/api-errors."
        )
        default_type, default_code = "insufficient_quota", "insufficient_quota"
    elif status == 429 and code == "resource_unavailable":
        # Flex processing out of capacity (OpenAI's guide: "429 Resource Unavailable"); the exact
        # body is assumed: not billed, retry later or ask the default tier.
        default_message = (
            "Resource Unavailable: flex processing capacity for this model is temporarily exhausted. "
            "Please retry later, or send the request with service_tier 'default'."
        )
        default_type, default_code = "resource_unavailable", "resource_unavailable"
    elif status == 429:
        default_message = (
            f"Rate limit reached for {model} in organization org-emulator on requests per min (RPM): "
            "Limit 500, Used 500, Requested 1. Please try again in 120ms. "
            "Visit https://platform.openai.com/account/rate-limits to learn more."
        )
        default_type, default_code = "requests", "rate_limit_exceeded"
    elif status == 503:
        default_message = "The server is overloaded or not ready yet."
        default_type, default_code = "server_error", "server_is_overloaded"
    elif status >= 500:
        default_message = (
            "The server had an error while processing your request. Sorry about that! You can retry "
            "your request, or contact us through our help center at help.openai.com if the error persists."
        )
        default_type, default_code = "server_error", None
    elif status == 403:
        default_message = "Country, region, or territory not supported"
        default_type, default_code = "request_forbidden", "unsupported_country_region_territory"
    else:
        default_message = "Invalid request."
        default_type, default_code = INVALID_REQUEST, None
    return ApiError(
        status,
        message or default_message,
        type=type or default_type,
        code=code or default_code,
        headers=headers,
    )


def _header_number(value: float | str) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)
