"""What a fetched page turns into: readable text, within the size and time limits."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from sandbox.sample_companies import by_slug
from integrations.web import WebFetchError, fetch
from sandbox.sample_sites import company_home_page


def test_it_extracts_the_main_content_of_a_company_page_without_boilerplate(sites, config):
    company = by_slug("obrien-daughters-robotics")
    page = fetch(sites.url(f"/{company.slug}/"), config)

    assert page.status == 200 and page.content_type == "text/html" and not page.truncated
    assert page.title == f"{company.name} — {company.pitch}"
    for content in (
        company.pitch,
        company.description,
        company.traction,
        "Niamh O'Brien",
        "Head of Engineering",
    ):
        assert content in page.text
    for boilerplate in (
        "All rights reserved",
        "Cookie settings",
        "Accept all cookies",
        "Subscribe to our newsletter",
        "Privacy policy",
        "Contact sales",
        "Log in",
        "analytics.push",
        "font-family",
    ):
        assert boilerplate not in page.text


def test_it_extracts_the_about_page_with_founders_and_investors(sites, config):
    company = by_slug("zurich-quantum")
    page = fetch(sites.url(f"/{company.slug}/about"), config)
    assert "Lukas Müller" in page.text and "Zoë Châtelain" in page.text
    assert "Alpine Deep Tech" in page.text


def test_it_returns_plain_text_as_is(sites, config):
    page = fetch(sites.url("/plain"), config)
    assert page.content_type == "text/plain" and page.title is None
    assert page.text.startswith("Zürich Quantum AG\n=================")
    assert "Founders: Lukas Müller (CEO), Zoë Châtelain (CTO)" in page.text


def test_it_reads_the_text_of_a_pdf(sites, config):
    page = fetch(sites.url("/pdf"), config)
    assert page.content_type == "application/pdf"
    assert page.title == "Brightloop Energy investor summary"
    assert "Founders: Lena Hartmann (CEO), Jonas Weber (CTO)" in page.text


def test_it_refuses_a_pdf_larger_than_the_cap_instead_of_parsing_half_of_it(sites, config):
    with pytest.raises(WebFetchError) as caught:
        fetch(sites.url("/pdf"), replace(config, max_bytes=300))
    assert caught.value.code == "too_large" and caught.value.permanent


def test_it_decodes_with_the_declared_charset(sites, config):
    page = fetch(sites.url("/latin1"), config)
    assert "Zürich Quantum AG" in page.text and "Gründer: Lukas Müller" in page.text


def test_it_refuses_binary_content(sites, config):
    with pytest.raises(WebFetchError) as caught:
        fetch(sites.url("/binary"), config)
    assert caught.value.code == "unsupported_content_type"
    assert "application/octet-stream" in caught.value.message


def test_it_stops_reading_a_huge_page_at_the_size_cap(sites, config):
    started = time.monotonic()
    page = fetch(sites.url("/huge"), replace(config, max_bytes=100_000, max_text_chars=1_000_000))
    assert page.truncated
    assert 90_000 < len(page.text) <= 100_000
    assert time.monotonic() - started < 2


def test_the_size_cap_applies_to_decompressed_bytes(sites, config):
    page = fetch(sites.url("/gzip-bomb"), replace(config, max_bytes=50_000, max_text_chars=1_000_000))
    assert page.truncated and page.text == "a" * 50_000


def test_it_cuts_long_text_to_max_text_chars_and_says_so(sites, config):
    page = fetch(sites.url("/brightloop-energy/"), replace(config, max_text_chars=100))
    assert len(page.text) == 100 and page.truncated


def test_it_gives_up_on_a_server_that_dribbles_bytes_at_the_deadline(sites, config):
    started = time.monotonic()
    with pytest.raises(WebFetchError) as caught:
        fetch(sites.url("/slow"), replace(config, total_timeout=0.6))
    elapsed = time.monotonic() - started
    assert caught.value.code == "timeout" and not caught.value.permanent
    # Each byte arrives well within a per-read timeout; only the total deadline stops it.
    assert 0.5 < elapsed < 1.5


def test_it_gives_up_on_a_server_that_dribbles_its_headers(sites, config):
    started = time.monotonic()
    with pytest.raises(WebFetchError) as caught:
        fetch(sites.url("/slow-headers"), replace(config, total_timeout=0.6))
    assert caught.value.code == "timeout"
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize(
    "status, permanent", [(404, True), (410, True), (429, False), (500, False), (503, False)]
)
def test_it_reports_http_errors_with_whether_they_may_pass(sites, config, status, permanent):
    with pytest.raises(WebFetchError) as caught:
        fetch(sites.url(f"/status/{status}"), config)
    assert caught.value.code == "http_error" and caught.value.permanent is permanent
    assert str(status) in caught.value.message


def test_it_reports_a_refused_connection_as_transient(sites, config):
    port = sites.port
    sites.stop()
    with pytest.raises(WebFetchError) as caught:
        fetch(f"http://127.0.0.1:{port}/", config)
    assert caught.value.code == "connection_error" and not caught.value.permanent


def test_it_sends_a_polite_user_agent_and_the_hosts_own_name(sites, config):
    fetch(sites.url("/plain"), config)
    assert sites.requests[-1].host == sites.host_port
    assert sites.requests[-1].user_agent.startswith("VicbotResearch/1.0 (+")


def test_the_sample_company_pages_escape_awkward_names():
    html = company_home_page(by_slug("path-finder-logistics"))
    assert "<h1>Path\\Finder Logistics</h1>" in html
    assert "O&#x27;Brien" in company_home_page(by_slug("obrien-daughters-robotics"))
