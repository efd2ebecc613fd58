"""The web_scrape tool: read one public web page or PDF, through the safe fetcher, cached."""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from django.core.cache import cache
from pydantic import BaseModel, Field

from integrations.web import WebFetchConfig, WebFetchError, fetch, normalise_url
from tools.base import Tool, ToolContext, ToolError

logger = logging.getLogger(__name__)

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
        return cache.get(key)
    except Exception:
        logger.warning("web_scrape cache read failed", exc_info=True)
        return None


def _cache_set(key: str, value: dict[str, Any], seconds: int) -> None:
    try:
        cache.set(key, value, timeout=seconds)
    except Exception:
        logger.warning("web_scrape cache write failed", exc_info=True)


TOOLS = (
    Tool(
        "web_scrape",
        "Read a public web page (HTML, plain text or PDF) and get its title and main text, without "
        "navigation and footers. Use it to check what a company's own website says. Only public "
        "http(s) sites on the standard ports can be read; long pages are cut and marked truncated.",
        WebScrapeArgs,
        scrape,
        timeout_seconds=TIMEOUT_SECONDS,
    ),
)
