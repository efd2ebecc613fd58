"""The web_scrape tool, called as the model calls it, against the loopback sample sites."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
import redis
from django.db import connection

from integrations.web import WebFetchConfig
from sandbox.sample_sites import SampleSites
from tools.base import EarlierOutput, ToolContext, ToolResult, invoke
from tools.web_scrape import TOOLS, TRUNCATED_MARKER

[TOOL] = TOOLS

# The cache is the real one (a database table): each test's transaction keeps it its own.
pytestmark = pytest.mark.django_db


@pytest.fixture
def sites(settings):
    """Sample sites allow-listed."""
    with SampleSites() as running:
        settings.WEB_FETCH_PRIVATE_ALLOWLIST = [running.host_port]
        settings.WEB_FETCH_TIMEOUT = 5
        yield running


def pitch_on(site_url: str) -> str:
    return f"Name: Brightloop Energy\nWebsite: {site_url}\nDescription: Flexible factory power."


def scrape(url: str, context: ToolContext | None = None) -> ToolResult:
    """As the model calls it, by default in a run whose record's Website field is `url`."""
    if context is None:
        context = ToolContext(run_id=1, run_input=pitch_on(url), website=url)
    return invoke(TOOL, json.dumps({"url": url}), context, max_chars=50_000)


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


def test_a_pdf_too_complex_to_read_comes_back_as_an_error_well_within_the_tools_timeout(sites, settings):
    settings.WEB_FETCH_EXTRACT_TIMEOUT = 2
    started = time.monotonic()

    result = scrape(sites.url("/heavy-pdf"))

    assert time.monotonic() - started < 5 < TOOL.timeout_seconds
    error = json.loads(result.output)["error"]
    assert error["message"].startswith("timeout: Reading the text of this PDF took longer than 2 s")


def test_the_scrape_cache_is_a_database_table_not_the_brokers_redis(sites, settings):
    """With REDIS_URL set (as in these tests) the broker is Redis; the page must not land there."""
    assert settings.CELERY_BROKER_URL.startswith("redis")
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker_keys_before = set(broker.keys("*web_scrape*"))

    assert scrape(sites.url("/ledgerleaf/about")).ok

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {settings.WEB_FETCH_CACHE_TABLE} WHERE cache_key LIKE %s",
                       ["%web_scrape%"])
        assert cursor.fetchone()[0] == 1
    assert set(broker.keys("*web_scrape*")) == broker_keys_before


# --- Which URLs a run may read (tools/web_scrape_policy.py) ---------------------------------------


@pytest.fixture
def leak_allowed_by_address(sites, settings):
    """localhost on the sample sites' port is reachable, so only the URL policy can refuse it."""
    settings.WEB_FETCH_PRIVATE_ALLOWLIST = [sites.host_port, f"localhost:{sites.port}"]
    return f"http://localhost:{sites.port}/collect?contacts=ada%40example.com"


def pitch_context(sites, **kwargs) -> ToolContext:
    """A run on the Brightloop pitch, whose mapped Website field is its home page."""
    home = sites.url("/brightloop-energy/")
    return ToolContext(run_id=1, run_input=pitch_on(home), website=home, **kwargs)


def test_a_url_off_the_pitchs_site_that_the_run_never_saw_is_refused(sites, leak_allowed_by_address):
    result = scrape(leak_allowed_by_address, pitch_context(sites))

    assert not result.ok
    error = json.loads(result.output)["error"]
    assert error["type"] == "tool_error" and error["message"].startswith("url_not_allowed: ")
    assert sites.url("/brightloop-energy/") in error["message"]  # names the site it may read
    assert sites.hits("/collect?contacts=ada%40example.com") == 0


def test_the_own_sites_pages_are_read_once_a_page_read_links_them_not_before(sites):
    about = sites.url("/brightloop-energy/about")
    assert "url_not_allowed: " in scrape(about, pitch_context(sites)).output
    home = EarlierOutput("web_scrape", json.dumps({"text": f"About us: {about}"}))

    result = scrape(about, pitch_context(sites, earlier_outputs=(home,)))

    assert result.ok and "Lena Hartmann" in json.loads(result.output)["text"]
    assert sites.hits("/brightloop-energy/about") == 1


def test_a_url_written_in_the_pitch_is_not_read(sites, leak_allowed_by_address):
    home = sites.url("/brightloop-energy/")
    context = ToolContext(run_input=pitch_on(home) + f"\nPress: see {leak_allowed_by_address}.", website=home)

    assert "url_not_allowed: " in scrape(leak_allowed_by_address, context).output
    assert sites.hits("/collect?contacts=ada%40example.com") == 0


def test_a_url_from_an_earlier_page_or_pitchbook_answer_may_be_read_but_not_from_salesforce(
        sites, leak_allowed_by_address):
    listed = json.dumps([{"name": "Ada", "website": leak_allowed_by_address}])
    for tool in ("web_scrape", "pitchbook_company_find"):
        context = pitch_context(sites, earlier_outputs=(EarlierOutput(tool, listed),))
        assert scrape(leak_allowed_by_address, context).ok
    salesforce = EarlierOutput("salesforce_company_find", listed)
    assert not scrape(leak_allowed_by_address, pitch_context(sites, earlier_outputs=(salesforce,))).ok
    assert sites.hits("/collect?contacts=ada%40example.com") == 1  # the second from the cache


def test_a_url_seen_with_other_data_in_it_is_still_refused(sites, leak_allowed_by_address):
    seen = EarlierOutput("web_scrape", f"see {leak_allowed_by_address}")
    context = pitch_context(sites, earlier_outputs=(seen,))

    assert not scrape(leak_allowed_by_address + "%2Cgrace%40example.com", context).ok


def test_open_browsing_reads_any_public_url_but_none_that_carries_salesforce_data(
        sites, leak_allowed_by_address):
    assert scrape(leak_allowed_by_address, pitch_context(sites, open_browsing=True)).ok
    assert sites.hits("/collect?contacts=ada%40example.com") == 1
    contacts = EarlierOutput("salesforce_person_find",
                             json.dumps([{"Name": "Ada Lovelace", "Email": "ada@example.com"}]))
    context = pitch_context(sites, open_browsing=True, earlier_outputs=(contacts,))

    result = scrape(leak_allowed_by_address, context)

    assert "url_not_allowed: " in result.output and "which came from our Salesforce" in result.output
    assert sites.hits("/collect?contacts=ada%40example.com") == 1


def test_a_run_whose_record_has_no_website_reads_only_urls_it_has_seen(sites):
    # A Website line in the pitch, but no Website field.
    context = ToolContext(run_input=pitch_on(sites.url("/brightloop-energy/")))

    result = scrape(sites.url("/brightloop-energy/"), context)

    assert "url_not_allowed: " in result.output and "(none given)" in result.output


def cache_setting(tmp_path, **env: str):
    script = "from django.conf import settings as s; print(s.CACHES['web_fetch']['BACKEND'], s.CACHES['web_fetch']['LOCATION'])"
    return subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "VICBOT_VAR_DIR": str(tmp_path), **env},
        capture_output=True, text=True, timeout=60,
    )


def test_the_scrape_cache_may_have_a_store_of_its_own_but_never_the_brokers(tmp_path):
    default = cache_setting(tmp_path, REDIS_URL="redis://broker.example:6379/0", WEB_FETCH_CACHE_URL="")
    own = cache_setting(tmp_path, REDIS_URL="redis://broker.example:6379/0",
                        WEB_FETCH_CACHE_URL="redis://cache.example:6379/0")
    shared = cache_setting(tmp_path, REDIS_URL="redis://broker.example:6379/0",
                           WEB_FETCH_CACHE_URL="redis://broker.example:6379/5")

    assert default.stdout.split() == ["django.core.cache.backends.db.DatabaseCache", "vicbot_web_fetch_cache"]
    assert own.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "redis://cache.example:6379/0"]
    assert shared.returncode != 0 and "must not be the broker's server" in shared.stderr
