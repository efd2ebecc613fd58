"""The web_scrape tool: read one public web page or PDF, through the safe fetcher, cached."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from typing import Any

from django.core.cache import caches
from django.db import connection
from pydantic import BaseModel, Field

from integrations.web import WebFetchConfig, WebFetchError, fetch, normalise_url
from tools import web_scrape_policy
from tools.base import Tool, ToolContext, ToolError

logger = logging.getLogger(__name__)

# Its own store, never the broker's Redis (config/settings.py, CACHES["web_fetch"]).
CACHE_ALIAS = "web_fetch"
CACHE_PREFIX = "vicbot:web_scrape:v1:"
# The fetch has its own deadline (WEB_FETCH_TIMEOUT); this leaves room for DNS and extraction.
TIMEOUT_SECONDS = 45.0
TRUNCATED_MARKER = "\n…[truncated by Vicbot: the page is longer than this]"


class WebScrapeArgs(BaseModel):
    url: str = Field(
        description="The http or https URL of a public web page or PDF, e.g. https://acme.com/about."
    )


# The engine stops waiting at the tool's timeout; extraction is killed this long before,
# so the model gets a readable error instead of a bare timeout.
_FINISH_MARGIN_SECONDS = 2.0


def scrape(args: WebScrapeArgs, context: ToolContext) -> dict[str, Any]:
    finish_by = time.monotonic() + TIMEOUT_SECONDS - _FINISH_MARGIN_SECONDS
    config = WebFetchConfig.from_settings()
    try:
        # Keyed by the canonical URL so "HTTP://Acme.com:80/#team" and "http://acme.com/" share it.
        key = CACHE_PREFIX + hashlib.sha256(normalise_url(args.url).encode()).hexdigest()
        if reason := web_scrape_policy.refusal(args.url, context):
            raise ToolError(f"url_not_allowed: {reason}")
        if (cached := _cache_get(key)) is not None:
            return cached
        page = fetch(args.url, config, finish_by=finish_by)
    except WebFetchError as exc:
        again = "Retrying the same URL will not help." if exc.permanent else "This may work if tried later."
        raise ToolError(f"{exc.code}: {exc.message}. {again}") from None
    result = {
        "final_url": page.final_url,
        "title": page.title,
        "text": page.text + TRUNCATED_MARKER if page.truncated else page.text,
        "truncated": page.truncated,
    }
    _cache_set(key, result, config.cache_seconds)
    return result


# The cache only saves re-fetches on re-evaluation: if it is down, fetch anyway.
def _cache_get(key: str) -> dict[str, Any] | None:
    try:
        return caches[CACHE_ALIAS].get(key)
    except Exception:
        logger.warning("web_scrape cache read failed", exc_info=True)
        return None
    finally:
        _release_thread_connection()


def _cache_set(key: str, value: dict[str, Any], seconds: int) -> None:
    try:
        caches[CACHE_ALIAS].set(key, value, timeout=seconds)
    except Exception:
        logger.warning("web_scrape cache write failed", exc_info=True)
    finally:
        _release_thread_connection()


def _release_thread_connection() -> None:
    """The engine runs a tool in a thread of its own, which the database cache gives a connection
    of its own; close it rather than leave it to garbage collection (Postgres plans allow few)."""
    if threading.current_thread() is not threading.main_thread() and not connection.in_atomic_block:
        connection.close()


TOOLS = (
    Tool(
        "web_scrape",
        "Read a public web page (HTML, plain text or PDF) and get its title and main text, without "
        "navigation and footers. Use it to check what a company's own website says. Only the "
        "pitch's own website (and its home page) and URLs that appeared in pages already read or in "
        "PitchBook answers can be read, exactly as written there, on public http(s) sites and the "
        "standard ports; a URL never carries data from Salesforce. Long pages are cut and marked truncated.",
        WebScrapeArgs,
        scrape,
        timeout_seconds=TIMEOUT_SECONDS,
    ),
)
