"""The web_scrape tool, called as the model calls it, against the loopback sample sites."""

from __future__ import annotations

import json
import uuid

import pytest

from integrations.web import WebFetchConfig
from integrations.web.sample_sites import SampleSites
from tools.base import ToolContext, ToolResult, invoke
from tools.web_scrape import TOOLS, TRUNCATED_MARKER

[TOOL] = TOOLS


@pytest.fixture
def sites(settings):
    """Sample sites allow-listed, and a cache of this test's own."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"web-{uuid.uuid4()}",
        }
    }
    with SampleSites() as running:
        settings.WEB_FETCH_PRIVATE_ALLOWLIST = [running.host_port]
        settings.WEB_FETCH_TIMEOUT = 5
        yield running


def scrape(url: str) -> ToolResult:
    return invoke(TOOL, json.dumps({"url": url}), ToolContext(run_id=1), max_chars=50_000)


def test_it_returns_the_title_and_main_text_of_a_company_page(sites):
    result = scrape(sites.url("/brightloop-energy/"))
    assert result.ok, result.output
    page = json.loads(result.output)
    assert set(page) == {"final_url", "title", "text", "truncated"}
    assert page["final_url"] == sites.url("/brightloop-energy/")
    assert page["title"].startswith("Brightloop Energy")
    assert "Lena Hartmann" in page["text"] and "All rights reserved" not in page["text"]
    assert page["truncated"] is False
    assert ", " not in result.output[:40]  # compact JSON


def test_a_second_call_for_the_same_page_is_served_from_the_cache(sites):
    first = scrape(sites.url("/ledgerleaf/about"))
    # Another spelling of the same URL: same cache entry.
    second = scrape(f"HTTP://127.0.0.1:{sites.port}/ledgerleaf/about#team")
    assert first.ok and second.ok
    assert json.loads(first.output) == json.loads(second.output)
    assert sites.hits("/ledgerleaf/about") == 1


def test_the_cache_expires_after_the_configured_time(sites, settings):
    settings.WEB_FETCH_CACHE_SECONDS = 0  # Django: 0 means "do not keep"
    scrape(sites.url("/plain"))
    scrape(sites.url("/plain"))
    assert sites.hits("/plain") == 2


def test_failures_are_not_cached(sites):
    assert not scrape(sites.url("/status/503")).ok
    assert not scrape(sites.url("/status/503")).ok
    assert sites.hits("/status/503") == 2


def test_a_refusal_comes_back_to_the_model_as_a_structured_error(sites):
    result = scrape(sites.url("/redirect-metadata"))
    assert not result.ok
    error = json.loads(result.output)["error"]
    assert error["type"] == "tool_error"
    assert error["message"].startswith("address_not_allowed: ")
    assert "169.254.169.254" in error["message"] and "will not help" in error["message"]


@pytest.mark.parametrize(
    "url, code",
    [
        ("file:///etc/passwd", "scheme_not_allowed"),
        ("http://[::1]/", "address_not_allowed"),
        ("http://user@example.com/", "credentials_not_allowed"),
        ("not a url", "invalid_url"),
    ],
)
def test_it_refuses_unsafe_urls_before_touching_the_cache_or_the_network(sites, url, code):
    result = scrape(url)
    assert not result.ok and json.loads(result.output)["error"]["message"].startswith(f"{code}: ")


def test_long_text_is_cut_with_a_marker(sites, settings):
    settings.WEB_FETCH_MAX_TEXT_CHARS = 200
    page = json.loads(scrape(sites.url("/kestrel-health/")).output)
    assert page["truncated"] is True
    assert page["text"].endswith(TRUNCATED_MARKER) and len(page["text"]) == 200 + len(TRUNCATED_MARKER)


def test_the_allowlist_setting_may_be_one_comma_separated_string(settings):
    settings.WEB_FETCH_PRIVATE_ALLOWLIST = "127.0.0.1:8001, localhost:8002,"
    assert WebFetchConfig.from_settings().private_allowlist == ("127.0.0.1:8001", "localhost:8002")


def test_the_tool_is_always_offered_with_a_strict_schema():
    assert TOOL.is_available()
    definition = TOOL.openai_definition()
    assert definition["strict"] and definition["parameters"]["required"] == ["url"]
