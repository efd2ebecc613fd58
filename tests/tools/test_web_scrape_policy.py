"""The pitch's own site: its website's host, or any host under that host's registrable domain."""

from __future__ import annotations

import pytest

from tools.base import ToolContext
from tools.web_scrape_policy import own_sites, refusal

PITCH = "Account Name: Acme\nCompany_Website__c: www.Acme.co.uk.\nDescription: We build robots."


@pytest.mark.parametrize(
    "url",
    [
        "https://www.acme.co.uk/about",
        "http://acme.co.uk/",
        "https://blog.acme.co.uk/post?id=1",
        "HTTPS://WWW.ACME.CO.UK:443/team#founders",
    ],
)
def test_pages_under_the_websites_registrable_domain_are_its_own_site(url):
    assert refusal(url, ToolContext(run_input=PITCH)) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.co.uk.attacker.example/",
        "https://notacme.co.uk/",
        "https://other.co.uk/",  # the public suffix is not the site
        "https://attacker.example/?q=www.acme.co.uk",
    ],
)
def test_lookalike_hosts_are_not_its_own_site(url):
    assert refusal(url, ToolContext(run_input=PITCH)) is not None


def test_a_website_that_is_a_public_suffix_or_an_address_opens_only_that_host():
    assert refusal("https://anything.co.uk/", ToolContext(run_input="Website: co.uk")) is not None
    assert refusal("http://10.0.0.1:8080/x", ToolContext(run_input="Website: http://10.0.0.1:8080/")) is None
    assert refusal("http://10.0.0.2/", ToolContext(run_input="Website: http://10.0.0.1/")) is not None


def test_website_lines_are_found_whatever_their_label_and_junk_is_skipped():
    text = "Website: https://a.example/x\nCompany Website: b.example\nWebsite: not a url\nweb: c.example"
    assert own_sites(text) == {"a.example", "b.example"}
