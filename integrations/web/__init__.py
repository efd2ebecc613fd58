"""A safe fetcher for public web pages named by a model or a pitch (see fetcher.py).

Unlike the OpenAI and Salesforce packages this one has no `get_client()`/`reset_client()`:
the fetcher is stateless. Each hop of each fetch opens its own connection pool pinned to
the address it just checked (so a DNS answer cannot move a later request), and nothing —
no session, pool or login — outlives a `fetch()` call, so there is nothing to share or reset.
"""

from integrations.web.config import WebFetchConfig
from integrations.web.errors import WebFetchError
from integrations.web.fetcher import Page, fetch
from integrations.web.urls import normalise_url

__all__ = ["Page", "WebFetchConfig", "WebFetchError", "fetch", "normalise_url"]
