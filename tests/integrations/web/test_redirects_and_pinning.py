"""Redirects are checked like first requests, and connections go to the address that was checked."""

from __future__ import annotations

import pytest

from integrations.web import WebFetchConfig, WebFetchError, fetch
from integrations.web.fetcher import MAX_REDIRECTS
from tests.integrations.web.fakes import FakeResolver


def test_it_follows_a_redirect_within_allowed_space(sites, config):
    page = fetch(sites.url("/brightloop-energy"), config)
    assert page.final_url == sites.url("/brightloop-energy/")
    assert "Lena Hartmann" in page.text


def test_it_refuses_a_redirect_to_cloud_metadata(sites, config):
    with pytest.raises(WebFetchError) as caught:
        fetch(sites.url("/redirect-metadata"), config)
    assert caught.value.code == "address_not_allowed"
    assert "169.254.169.254" in caught.value.message


def test_it_refuses_a_redirect_to_another_loopback_port_even_from_an_allowlisted_host(sites, config):
    with pytest.raises(WebFetchError) as caught:
        fetch(sites.url("/redirect-loopback"), config)
    assert caught.value.code == "port_not_allowed"


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1/",
        "http://localhost/",
        "http://[::1]/",
        "http://2130706433/",
        "http://10.0.0.1/admin",
    ],
)
def test_it_refuses_a_redirect_into_private_space_on_a_standard_port(sites, config, target):
    with pytest.raises(WebFetchError) as caught:
        fetch(sites.url(f"/redirect?to={target}"), config)
    assert caught.value.code == "address_not_allowed"


def test_it_refuses_a_redirect_to_another_scheme(sites, config):
    with pytest.raises(WebFetchError) as caught:
        fetch(sites.url("/redirect?to=file:///etc/passwd"), config)
    assert caught.value.code == "scheme_not_allowed"


def test_it_stops_after_five_redirects(sites, config):
    with pytest.raises(WebFetchError) as caught:
        fetch(sites.url("/redirect-loop"), config)
    assert caught.value.code == "too_many_redirects"
    assert len(sites.requests) == MAX_REDIRECTS + 1 == 6


def test_it_connects_to_the_address_it_checked_even_if_dns_answers_differently_later(sites):
    # A rebinding attacker's DNS: the checked answer, then the metadata service for anyone
    # who asks again. The fetcher asks once and connects there; the system resolver (which
    # does not know this name) is never consulted.
    resolver = FakeResolver(["127.0.0.1"], ["169.254.169.254"])
    config = _config_for(sites, "rebind.test")
    page = fetch(f"http://rebind.test:{sites.port}/brightloop-energy/", config, resolver=resolver)
    assert "Brightloop" in page.title
    assert resolver.calls == ["rebind.test"]
    # The server still sees the name the URL asked for.
    assert sites.requests[-1].host == f"rebind.test:{sites.port}"


def test_each_redirect_hop_is_resolved_and_checked_again(sites):
    resolver = FakeResolver(["127.0.0.1"], ["10.0.0.7"])
    config = _config_for(sites, "first.test", "second.test")
    with pytest.raises(WebFetchError) as caught:
        fetch(f"http://first.test:{sites.port}/redirect?to=http://second.test/", config, resolver=resolver)
    assert caught.value.code == "address_not_allowed"
    assert "second.test resolves to 10.0.0.7" in caught.value.message
    assert resolver.calls == ["first.test", "second.test"]


def _config_for(sites, *hosts: str) -> WebFetchConfig:
    return WebFetchConfig(private_allowlist=tuple(f"{h}:{sites.port}" for h in hosts), total_timeout=5)
