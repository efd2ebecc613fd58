"""The one exception the web fetcher raises, with a machine-readable reason."""

from __future__ import annotations

from integrations.errors import IntegrationError


class WebFetchError(IntegrationError):
    """A fetch that was refused or failed.

    `code` is one of: invalid_url, scheme_not_allowed, credentials_not_allowed,
    port_not_allowed, address_not_allowed, dns_error, connection_error, tls_error, timeout,
    too_many_redirects, too_large, unsupported_content_type, http_error, busy (no extraction
    slot came free in time).
    `permanent` says whether trying the same URL again later could give another answer.
    """

    service = "web"

    def __init__(
        self,
        message: str,
        *,
        code: str,
        permanent: bool,
        retry_after: float | None = None,
        status: int | None = None,
    ):
        # Unlike the base, a fetch failure always names its reason.
        super().__init__(message, code=code, permanent=permanent, retry_after=retry_after, status=status)
