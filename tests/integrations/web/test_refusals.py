"""Every URL that could reach something other than a public website is refused before connecting."""

from __future__ import annotations

import socket

import pytest

from integrations.web import WebFetchConfig, WebFetchError, fetch
from tests.integrations.web.fakes import FakeResolver, no_dns

PRODUCTION = WebFetchConfig()  # no allow-list


def refusal(url: str, *, resolver=no_dns, config: WebFetchConfig = PRODUCTION) -> WebFetchError:
    with pytest.raises(WebFetchError) as caught:
        fetch(url, config, resolver=resolver)
    return caught.value


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/file",
        "file:///etc/passwd",
        "gopher://example.com/",
        "javascript:alert(1)",
        "data:text/html,hello",
        "//example.com/no-scheme",
        "example.com",
    ],
)
def test_it_refuses_schemes_other_than_http_and_https(url):
    error = refusal(url)
    assert error.code == "scheme_not_allowed" and error.permanent


@pytest.mark.parametrize(
    "url", ["http://example.com:8080/", "https://example.com:22/", "http://example.com:6379/"]
)
def test_it_refuses_ports_other_than_80_and_443(url):
    assert refusal(url).code == "port_not_allowed"


@pytest.mark.parametrize(
    "url, kind",
    [
        ("http://127.0.0.1/", "loopback"),
        ("http://127.8.9.10/", "loopback"),
        ("http://10.0.0.1/", "private"),
        ("http://172.16.5.4/", "private"),
        ("http://192.168.1.1/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("http://169.254.10.10/", "link-local"),
        ("http://224.0.0.251/", "multicast"),
        ("http://240.0.0.1/", "reserved"),
        ("http://255.255.255.255/", "broadcast"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://100.64.0.1/", "shared"),
        ("http://192.0.2.10/", "documentation"),  # TEST-NET-1
        ("http://[::1]/", "loopback"),
        ("http://[::]/", "unspecified"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://[::ffff:169.254.169.254]/", "cloud metadata"),
        ("http://[::ffff:10.0.0.1]/", "private"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[fd00::1]/", "private"),
        ("http://[fd00:ec2::254]/", "cloud metadata"),
        ("http://[ff02::1]/", "multicast"),
        ("http://[64:ff9b::7f00:1]/", "loopback"),  # NAT64 of 127.0.0.1
        ("http://[64:ff9b::a9fe:a9fe]/", "cloud metadata"),  # NAT64 of 169.254.169.254
        ("http://[2002:7f00:1::]/", "loopback"),  # 6to4 of 127.0.0.1
        ("http://[2002:c0a8:101::1]/", "private"),  # 6to4 of 192.168.1.1
        ("http://[::127.0.0.1]/", "reserved"),  # IPv4-compatible: deprecated, outside 2000::/3
        ("http://[2001:db8::1]/", "documentation"),
        ("http://[3fff::1]/", "documentation"),  # RFC 9637
    ],
)
def test_it_refuses_ip_literals_outside_public_space(url, kind):
    error = refusal(url)
    assert error.code == "address_not_allowed" and error.permanent
    assert kind in error.message


@pytest.mark.parametrize(
    "host", ["2130706433", "0x7f000001", "0x7f.1", "127.1", "0177.0.0.1", "127.0.1", "0", "0x7f.0.0.1"]
)
def test_it_sees_odd_ipv4_spellings_as_the_addresses_they_are(host):
    error = refusal(f"http://{host}/")
    assert error.code == "address_not_allowed"


def test_it_refuses_a_trailing_dot_loopback():
    assert refusal("http://127.0.0.1./").code == "address_not_allowed"


def test_it_sees_through_unicode_lookalikes_of_private_hosts():
    assert refusal("http://１２７.０.０.１/").code == "address_not_allowed"  # full-width digits
    assert refusal("http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ/", resolver=socket.getaddrinfo).code == "address_not_allowed"


def test_it_refuses_percent_escapes_in_the_host():
    assert refusal("http://%31%32%37.0.0.1/").code == "invalid_url"


def test_it_refuses_userinfo_in_urls():
    assert refusal("http://example.com@127.0.0.1/").code == "credentials_not_allowed"
    assert refusal("http://user:pass@example.com/").code == "credentials_not_allowed"


def test_it_does_not_let_a_fragment_or_backslash_disguise_the_host():
    # Parsers disagree on these; the host that is checked is the host that is connected to.
    assert refusal("http://127.0.0.1#@example.com/").code == "address_not_allowed"
    assert refusal("http://example.com\\@127.0.0.1/").code == "invalid_url"
    assert refusal("http://127.0.0.1\t/").code in ("invalid_url", "address_not_allowed")
    assert refusal("http://exa mple.com/").code == "invalid_url"


def test_it_refuses_a_hostname_that_resolves_to_a_private_address():
    resolver = FakeResolver(["10.1.2.3"])
    error = refusal("http://intranet.example/", resolver=resolver)
    assert error.code == "address_not_allowed"
    assert "intranet.example resolves to 10.1.2.3" in error.message


def test_it_refuses_when_any_one_of_several_addresses_is_private():
    resolver = FakeResolver(["93.184.216.34", "2606:2800:220:1::1", "127.0.0.1"])
    assert refusal("https://mixed.example/", resolver=resolver).code == "address_not_allowed"


def test_it_refuses_a_hostname_resolving_to_an_ipv4_mapped_loopback():
    resolver = FakeResolver(["::ffff:127.0.0.1"])
    assert refusal("http://sneaky.example/", resolver=resolver).code == "address_not_allowed"


def test_it_refuses_localhost_as_the_system_resolves_it():
    assert refusal("http://localhost/", resolver=socket.getaddrinfo).code == "address_not_allowed"


def test_it_reports_a_name_that_does_not_resolve_as_a_permanent_dns_error():
    def nxdomain(*args):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    error = refusal("http://no-such-host.example/", resolver=nxdomain)
    assert error.code == "dns_error" and error.permanent


def test_it_reports_a_resolver_hiccup_as_a_transient_dns_error():
    def flaky(*args):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    error = refusal("http://flaky.example/", resolver=flaky)
    assert error.code == "dns_error" and not error.permanent


def test_an_allowlist_entry_opens_exactly_its_host_and_port():
    config = WebFetchConfig(private_allowlist=("127.0.0.1:8123",))
    # Same address, other spellings or ports: still refused.
    assert refusal("http://127.0.0.1:8124/", config=config).code == "port_not_allowed"
    assert refusal("http://127.0.0.1/", config=config).code == "address_not_allowed"
    assert refusal("http://2130706433:8123/", config=config).code == "port_not_allowed"
    assert (
        refusal("http://localhost:8123/", config=config, resolver=FakeResolver(["127.0.0.1"])).code
        == "port_not_allowed"
    )
