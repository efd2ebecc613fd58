"""A safe fetcher for public web pages named by a model or a pitch (see fetcher.py)."""

from integrations.web.config import WebFetchConfig
from integrations.web.errors import WebFetchError
from integrations.web.fetcher import Page, fetch
from integrations.web.urls import normalise_url

__all__ = ["Page", "WebFetchConfig", "WebFetchError", "fetch", "normalise_url"]
