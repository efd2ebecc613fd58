from __future__ import annotations

import ipaddress

import pytest

from integrations.web.addresses import Allowlist, refusal_reason


@pytest.mark.parametrize(
    "address",
    [
        "93.184.216.34",
        "8.8.8.8",
        "1.1.1.1",
        "2606:4700:4700::1111",
        "2a00:1450:4001:82b::200e",
        "64:ff9b::808:808",  # NAT64 of a public address, as on IPv6-only networks
    ],
)
def test_it_accepts_public_unicast_addresses(address):
    assert refusal_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "169.254.169.254",
        "100.127.255.254",
        "198.18.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "fec0::1",
        "2001::a9fe:a9fe",
        "::ffff:0:0",
    ],
)
def test_it_refuses_non_public_addresses(address):
    assert refusal_reason(ipaddress.ip_address(address)) is not None


def test_an_allowlist_entry_without_port_opens_only_the_standard_ports():
    allowlist = Allowlist.parse(["demo.local"])
    assert allowlist.allows_private("demo.local", 80) and allowlist.allows_private("demo.local", 443)
    assert not allowlist.allows_private("demo.local", 8080)
    assert not allowlist.allows_port("demo.local", 8080)
    assert not allowlist.allows_private("other.local", 80)


def test_an_allowlist_entry_with_port_opens_that_port_for_that_host_only():
    allowlist = Allowlist.parse([" 127.0.0.1:8123 ", "[::1]:9000"])
    assert allowlist.allows_port("127.0.0.1", 8123) and allowlist.allows_private("127.0.0.1", 8123)
    assert not allowlist.allows_private("127.0.0.1", 80)
    assert not allowlist.allows_port("localhost", 8123)
    assert allowlist.allows_private("::1", 9000)


def test_a_malformed_allowlist_entry_is_an_error_not_a_wildcard():
    with pytest.raises(ValueError):
        Allowlist.parse([":8080"])
