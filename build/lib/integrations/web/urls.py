"""Parse a URL the way the fetcher will use it, refusing anything ambiguous.

Parsers disagree about backslashes, userinfo and control characters, which is how
"check one host, connect to another" bugs happen; such URLs are refused instead of
interpreted. Numeric hosts are read with inet_aton, as the C resolver would read them, so
`2130706433`, `0x7f.1` and `127.1` are all seen as 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna

from integrations.web.addresses import IPAddress
from integrations.web.errors import WebFetchError

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL_LENGTH = 4096
_FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x20\x7f\\]")
_NUMERIC_HOST = re.compile(r"[0-9a-fx.]+")
_HOSTNAME = re.compile(r"[a-z0-9_.-]+")  # what is left after IDNA; "%" escapes are not hosts


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # lower-case ASCII (IDNA), no brackets, no trailing dot
    port: int
    ip: IPAddress | None  # set when the host is an IP literal: nothing to resolve
    url: str  # canonical: no fragment, no default port, "/" for an empty path

    @property
    def netloc(self) -> str:
        """What goes in the URL and the Host header."""
        return _netloc(self.scheme, self.host, self.port)


def parse_target(url: str) -> Target:
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise _invalid(f"URL is longer than {MAX_URL_LENGTH} characters")
    if _FORBIDDEN_CHARACTERS.search(url):
        raise _invalid("URL contains whitespace, control characters or a backslash")
    try:
        parts = urlsplit(url)
        explicit_port = parts.port
    except ValueError as exc:
        raise _invalid(f"URL cannot be parsed: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise WebFetchError(
            f"Only http and https URLs can be fetched, not {scheme or 'a URL without a scheme'!r}",
            code="scheme_not_allowed",
            permanent=True,
        )
    if "@" in parts.netloc:
        raise WebFetchError(
            "URLs with a user name or password are not fetched",
            code="credentials_not_allowed",
            permanent=True,
        )
    host = _ascii_host((parts.hostname or "").rstrip("."))
    port = explicit_port if explicit_port is not None else DEFAULT_PORTS[scheme]
    query = f"?{parts.query}" if parts.query else ""
    url = f"{scheme}://{_netloc(scheme, host, port)}{parts.path or '/'}{query}"
    return Target(scheme, host, port, _ip_literal(host), url)


def normalise_url(url: str) -> str:
    """The canonical form of `url` (e.g. for cache keys); raises WebFetchError if invalid."""
    return parse_target(url).url


def _netloc(scheme: str, host: str, port: int) -> str:
    bracketed = f"[{host}]" if ":" in host else host
    return bracketed if port == DEFAULT_PORTS[scheme] else f"{bracketed}:{port}"


def _ascii_host(host: str) -> str:
    if not host:
        raise _invalid("URL has no host")
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise _invalid(f"Host {host!r} is not a valid internationalised domain name: {exc}") from None
    host = host.lower()
    if ":" not in host and not _HOSTNAME.fullmatch(host):  # IPv6 literals are checked as addresses
        raise _invalid(f"{host!r} is not a valid hostname")
    return host


def _ip_literal(host: str) -> IPAddress | None:
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            raise _invalid(f"{host!r} is not a valid IPv6 address") from None
    if _NUMERIC_HOST.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None  # a hostname that only looks numeric, e.g. "cafe.fade"
    return None


def _invalid(message: str) -> WebFetchError:
    return WebFetchError(message, code="invalid_url", permanent=True)
