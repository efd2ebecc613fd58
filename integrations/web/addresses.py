"""Which network addresses Vicbot may connect to: public unicast only, unless allow-listed.

The address checked here is the address connected to (see fetcher.py), so a hostname that
resolves to something private is refused however it is spelt.

The blocks refused are IANA's special-purpose address registries, written out below as data
with the RFC of each block, plus multicast and the IPv6 space IANA has not allocated for
global unicast. Only three kinds of block are not refused outright, because they are a way
to reach an IPv4 address: IPv4-mapped IPv6, the well-known NAT64 prefix and 6to4. An address
of theirs is checked by the IPv4 address it carries.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

STANDARD_PORTS = frozenset({80, 443})


class Treatment(Enum):
    REFUSED = "refused"
    EMBEDDED_IPV4 = "checked by the IPv4 address it carries"


@dataclass(frozen=True)
class SpecialBlock:
    network: IPNetwork
    name: str
    rfc: str
    treatment: Treatment = Treatment.REFUSED


def _block(prefix: str, name: str, rfc: str, treatment: Treatment = Treatment.REFUSED) -> SpecialBlock:
    return SpecialBlock(ipaddress.ip_network(prefix), name, rfc, treatment)


# IANA IPv4 Special-Purpose Address Registry (iana-ipv4-special-registry) and IANA IPv6
# Special-Purpose Address Registry (iana-ipv6-special-registry), as last updated 2024-10-22 for
# IPv6 (taken 2026-12-06 from a stored copy of the registry pages and the RFCs they cite; no network
# here), plus 100:0:0:1::/64 (RFC 9780, 2025), multicast, and the IPv6 space outside 2000::/3.
#
# Every block is refused, even those IANA marks "globally reachable" (the AS112, AMT, PCP,
# TURN and DNS-SD anycast services, ORCHIDv2, DRIP): no company website is served from them,
# and an anycast service such as PCP answers from the nearest box, often the local gateway.
IPV4_SPECIAL = (
    _block("0.0.0.0/8", '"this network" (reserved)', "RFC 791, section 3.2"),
    _block("0.0.0.0/32", 'unspecified ("this host on this network")', "RFC 1122, section 3.2.1.3"),
    _block("10.0.0.0/8", "private-use", "RFC 1918"),
    _block("100.64.0.0/10", "shared (carrier-grade NAT)", "RFC 6598"),
    _block("127.0.0.0/8", "loopback", "RFC 1122, section 3.2.1.3"),
    _block("169.254.0.0/16", "link-local", "RFC 3927"),
    _block("172.16.0.0/12", "private-use", "RFC 1918"),
    _block("192.0.0.0/24", "IETF protocol assignment (reserved)", "RFC 6890, section 2.1"),
    _block("192.0.0.0/29", "IPv4 service continuity (DS-Lite)", "RFC 7335"),
    _block("192.0.0.8/32", "dummy (reserved)", "RFC 7600"),
    _block("192.0.0.9/32", "Port Control Protocol anycast (local gateway)", "RFC 7723"),
    _block("192.0.0.10/32", "TURN anycast", "RFC 8155"),
    _block("192.0.0.170/32", "NAT64/DNS64 discovery (reserved)", "RFC 8880, RFC 7050 section 2.2"),
    _block("192.0.0.171/32", "NAT64/DNS64 discovery (reserved)", "RFC 8880, RFC 7050 section 2.2"),
    _block("192.0.2.0/24", "documentation (TEST-NET-1)", "RFC 5737"),
    _block("192.31.196.0/24", "AS112 anycast", "RFC 7535"),
    _block("192.52.193.0/24", "AMT anycast", "RFC 7450"),
    _block("192.88.99.0/24", "deprecated 6to4 relay anycast", "RFC 7526"),
    _block("192.168.0.0/16", "private-use", "RFC 1918"),
    _block("192.175.48.0/24", "AS112 direct delegation anycast", "RFC 7534"),
    _block("198.18.0.0/15", "benchmarking", "RFC 2544"),
    _block("198.51.100.0/24", "documentation (TEST-NET-2)", "RFC 5737"),
    _block("203.0.113.0/24", "documentation (TEST-NET-3)", "RFC 5737"),
    _block("240.0.0.0/4", "reserved", "RFC 1112, section 4"),
    _block("255.255.255.255/32", "limited broadcast (reserved)", "RFC 8190, RFC 919 section 7"),
    # Not in the special-purpose registry but never a web server: the multicast space
    # (IANA IPv4 Multicast Address Space Registry).
    _block("224.0.0.0/4", "multicast", "RFC 5771"),
)

IPV6_SPECIAL = (
    _block("::1/128", "loopback", "RFC 4291"),
    _block("::/128", "unspecified", "RFC 4291"),
    _block("::ffff:0:0/96", "IPv4-mapped", "RFC 4291", Treatment.EMBEDDED_IPV4),
    _block("64:ff9b::/96", "NAT64 (well-known prefix)", "RFC 6052", Treatment.EMBEDDED_IPV4),
    _block("64:ff9b:1::/48", "NAT64 (local-use prefix)", "RFC 8215"),
    _block("100::/64", "discard-only", "RFC 6666"),
    _block("100:0:0:1::/64", "dummy (reserved)", "RFC 9780"),
    _block("2001::/23", "IETF protocol assignment (reserved)", "RFC 2928"),
    _block("2001::/32", "Teredo tunnel", "RFC 4380, RFC 8190"),
    _block("2001:1::1/128", "Port Control Protocol anycast (local gateway)", "RFC 7723"),
    _block("2001:1::2/128", "TURN anycast", "RFC 8155"),
    _block("2001:1::3/128", "DNS-SD SRP anycast (local network)", "RFC 9665"),
    _block("2001:2::/48", "benchmarking", "RFC 5180, RFC Errata 1752"),
    _block("2001:3::/32", "AMT anycast", "RFC 7450"),
    _block("2001:4:112::/48", "AS112 anycast", "RFC 7535"),
    _block("2001:10::/28", "deprecated ORCHID (reserved)", "RFC 4843"),
    _block("2001:20::/28", "ORCHIDv2 (overlay identifiers)", "RFC 7343"),
    _block("2001:30::/28", "drone remote ID tags (DETs)", "RFC 9374"),
    _block("2001:db8::/32", "documentation", "RFC 3849"),
    _block("2002::/16", "6to4", "RFC 3056", Treatment.EMBEDDED_IPV4),
    _block("2620:4f:8000::/48", "AS112 direct delegation anycast", "RFC 7534"),
    _block("3fff::/20", "documentation", "RFC 9637"),
    _block("5f00::/16", "SRv6 segment identifier (not a host)", "RFC 9602"),
    _block("fc00::/7", "unique-local (private)", "RFC 4193, RFC 8190"),
    _block("fe80::/10", "link-local", "RFC 4291"),
    # Not in the special-purpose registry but never a web server: multicast, and everything
    # outside 2000::/3, the only space IANA allocates for global unicast (IANA IPv6 Address
    # Space registry: the rest is "Reserved by IETF", e.g. the deprecated site-local fec0::/10
    # and IPv4-compatible ::a.b.c.d addresses).
    _block("ff00::/8", "multicast", "RFC 4291"),
)
_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


def special_block(address: IPAddress) -> SpecialBlock | None:
    """The most specific listed block holding `address`, if any."""
    table = IPV4_SPECIAL if isinstance(address, ipaddress.IPv4Address) else IPV6_SPECIAL
    holding = [block for block in table if address in block.network]
    return max(holding, key=lambda block: block.network.prefixlen, default=None)


def refusal_reason(address: IPAddress) -> str | None:
    """Why Vicbot must not connect to `address`, or None if it is public.

    Worded to fit "<address> is a <reason> address", e.g. "loopback (127.0.0.0/8, RFC 1122 ...)".
    """
    if address in _METADATA:
        return "cloud metadata (link-local)"
    block = special_block(address)
    if block is not None and block.treatment is Treatment.EMBEDDED_IPV4:
        # It reaches an IPv4 host through a translator or the host's own stack: that host decides.
        embedded = _embedded_ipv4(address)
        if reason := refusal_reason(embedded):
            return f"{block.name} ({block.network}, {block.rfc}) form of a {reason}"
        return None
    if block is not None:
        return f"{block.name} ({block.network}, {block.rfc})"
    if isinstance(address, ipaddress.IPv6Address) and address not in _GLOBAL_UNICAST:
        return "reserved (outside 2000::/3, the global unicast space; RFC 4291)"
    return None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)  # NAT64: the last 32 bits (RFC 6052, /96)


@dataclass(frozen=True)
class AllowEntry:
    host: str
    port: int | None  # None: the standard ports only


@dataclass(frozen=True)
class Allowlist:
    """Exact `host[:port]` entries allowed to reach private addresses (tests, the offline demo)."""

    entries: tuple[AllowEntry, ...] = ()

    @classmethod
    def parse(cls, raw: tuple[str, ...] | list[str]) -> Allowlist:
        entries = []
        for item in raw:
            parts = urlsplit(f"//{item.strip()}")
            if not parts.hostname:
                raise ValueError(f"Not a host[:port] entry in WEB_FETCH_PRIVATE_ALLOWLIST: {item!r}")
            entries.append(AllowEntry(parts.hostname.rstrip("."), parts.port))
        return cls(tuple(entries))

    def allows_port(self, host: str, port: int) -> bool:
        return port in STANDARD_PORTS or any(e.host == host and e.port == port for e in self.entries)

    def allows_private(self, host: str, port: int) -> bool:
        return any(
            e.host == host and (e.port == port if e.port is not None else port in STANDARD_PORTS)
            for e in self.entries
        )
