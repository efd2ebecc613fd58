"""The one exception the web fetcher raises, with a machine-readable reason."""

from __future__ import annotations


class WebFetchError(Exception):
    """A fetch that was refused or failed.

    `code` is one of: invalid_url, scheme_not_allowed, credentials_not_allowed,
    port_not_allowed, address_not_allowed, dns_error, connection_error, tls_error, timeout,
    too_many_redirects, too_large, unsupported_content_type, http_error.
    `permanent` says whether trying the same URL again later could give another answer.
    """

    def __init__(self, message: str, *, code: str, permanent: bool):
        super().__init__(message)
        self.message = message
        self.code = code
        self.permanent = permanent

    def __repr__(self) -> str:
        return f"WebFetchError({self.message!r}, code={self.code!r}, permanent={self.permanent})"
