"""Which network addresses Vicbot may connect to: public unicast only, unless allow-listed.

The address checked here is the address connected to (see fetcher.py), so a hostname that
resolves to something private is refused however it is spelt.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

STANDARD_PORTS = frozenset({80, 443})
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # carrier-grade NAT; not "private" to ipaddress
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # well-known NAT64 prefix, IPv4 in the last 32 bits
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated ::a.b.c.d form
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


def refusal_reason(address: IPAddress) -> str | None:
    """Why Vicbot must not connect to `address` (e.g. "loopback"), or None if it is public."""
    # An IPv6 address that carries an IPv4 one reaches that IPv4 host through a translator
    # or the host's own stack, so the embedded address decides.
    for embedded in _embedded_ipv4(address):
        if reason := refusal_reason(embedded):
            return f"{reason} (embedded in IPv6)"
    if address in _NAT64:
        return None  # a public IPv4 site seen from an IPv6-only (DNS64) network
    if address in _METADATA:
        return "cloud metadata (link-local)"
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("shared (carrier-grade NAT)", address in _SHARED),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("site-local", isinstance(address, ipaddress.IPv6Address) and address.is_site_local),
        ("non-global", not address.is_global),
    )
    return next((reason for reason, refused in checks if refused), None)


def _embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    embedded = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    if address in _NAT64:
        embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address in _IPV4_COMPATIBLE and int(address) > 1:  # :: and ::1 are checked as themselves
        embedded.append(ipaddress.IPv4Address(int(address)))
    return [a for a in embedded if a is not None]


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
