"""The HTTP session under simple-salesforce: a timeout on every request, API usage from headers."""

from __future__ import annotations

import re
from typing import Any

import requests
from requests.adapters import BaseAdapter

_API_USAGE = re.compile(r"(?<![\w-])api-usage=(\d+)/(\d+)")


class TimeoutAdapter(BaseAdapter):
    """Gives every request a timeout, wrapping whatever adapter was mounted.

    simple-salesforce's SFType writes cannot take `timeout=` and requests has no default,
    so without this one stuck connection would hang a worker forever.
    """

    def __init__(self, inner: BaseAdapter, timeout: float):
        super().__init__()
        self.inner = inner
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return self.inner.send(request, **kwargs)

    def close(self) -> None:
        self.inner.close()


def apply_timeout(session: requests.Session, timeout: float) -> requests.Session:
    """Wrap each mounted adapter (ours or one a test mounted) so no request goes without a timeout."""
    for prefix, adapter in list(session.adapters.items()):
        if isinstance(adapter, TimeoutAdapter):
            adapter.timeout = timeout
        else:
            session.mount(prefix, TimeoutAdapter(adapter, timeout))
    return session


def parse_api_usage(limit_info: str | None) -> tuple[int, int] | None:
    """`Sforce-Limit-Info: api-usage=25/5000[; per-app-api-usage=…]` → (25, 5000)."""
    match = _API_USAGE.search(limit_info or "")
    return (int(match[1]), int(match[2])) if match else None
