from __future__ import annotations

import ipaddress

import pytest

from integrations.web.addresses import (
    IPV4_SPECIAL,
    IPV6_SPECIAL,
    Allowlist,
    Treatment,
    refusal_reason,
    special_block,
)

EVERY_BLOCK = [*IPV4_SPECIAL, *IPV6_SPECIAL]


@pytest.mark.parametrize("block", EVERY_BLOCK, ids=lambda block: str(block.network))
def test_the_first_and_last_address_of_every_listed_block_are_refused(block):
    # Translated blocks too: their first and last carry 0.0.0.0 and 255.255.255.255.
    for address in (block.network[0], block.network[-1]):
        assert refusal_reason(address) is not None, address


@pytest.mark.parametrize("block", EVERY_BLOCK, ids=lambda block: str(block.network))
def test_every_listed_block_names_its_rfc_and_its_addresses_are_found_in_it(block):
    assert block.rfc.startswith("RFC ")
    # The most specific block decides: this one, or one listed inside it.
    assert special_block(block.network[-1]).network.subnet_of(block.network)


@pytest.mark.parametrize(
    "prefix",
    ["3fff::/20", "5f00::/16", "64:ff9b:1::/48", "2001:db8::/32", "100.64.0.0/10", "192.0.0.0/24",
     "198.18.0.0/15", "240.0.0.0/4", "100:0:0:1::/64", "2001::/32", "2001:2::/48", "224.0.0.0/4", "ff00::/8"],
)
def test_the_blocks_the_issue_names_are_listed(prefix):
    assert ipaddress.ip_network(prefix) in {block.network for block in EVERY_BLOCK}


@pytest.mark.parametrize(
    "address",
    [
        "93.184.216.34",
        "8.8.8.8",
        "1.1.1.1",
        "100.63.255.255",  # just below the shared space
        "100.128.0.0",  # just above it
        "198.17.255.255",
        "198.20.0.0",
        "223.255.255.255",  # the last unicast address before multicast
        "2606:4700:4700::1111",
        "2a00:1450:4001:82b::200e",
        "3fff:1000::1",  # just past the documentation /20
        "2001:4860:4860::8888",  # Google's resolver: in 2001::/16, outside 2001::/23
        "64:ff9b::808:808",  # NAT64 of a public address, as on IPv6-only networks
        "::ffff:8.8.8.8",  # IPv4-mapped public address
        "2002:808:808::1",  # 6to4 of a public address
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
        "192.0.0.9",  # PCP anycast: "globally reachable" to IANA, the local gateway in practice
        "::1",
        "fe80::1",
        "fc00::1",
        "fec0::1",  # deprecated site-local: outside 2000::/3
        "4000::1",  # unallocated
        "2001::a9fe:a9fe",  # Teredo
        "::ffff:0:0",
        "::ffff:10.0.0.1",
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b:1::808:808",  # the local-use NAT64 prefix
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "3fff::1",
        "5f00::1",
    ],
)
def test_it_refuses_non_public_addresses(address):
    assert refusal_reason(ipaddress.ip_address(address)) is not None


def test_a_translated_address_is_refused_for_the_ipv4_address_it_carries():
    reason = refusal_reason(ipaddress.ip_address("64:ff9b::7f00:1"))
    assert reason.startswith("NAT64 (well-known prefix) (64:ff9b::/96, RFC 6052) form of a loopback")
    assert [b.network for b in EVERY_BLOCK if b.treatment is Treatment.EMBEDDED_IPV4] == [
        ipaddress.ip_network(p) for p in ("::ffff:0:0/96", "64:ff9b::/96", "2002::/16")]


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
