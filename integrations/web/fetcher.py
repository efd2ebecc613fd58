"""Fetch one public web page for the model, safely.

The URL comes from a model or from a pitch's text, so it is attacker-controlled. Every hop
(the first request and each redirect, followed here, at most MAX_REDIRECTS) is parsed,
resolved once, and refused unless every address the host resolves to is public. The
connection then goes to the checked address itself — the pool is opened on the IP, with the
Host header, TLS SNI and certificate verification for the hostname — so a DNS answer that
changes between check and connect (rebinding) cannot move the request. Environment proxies
are never used: a proxy would make the connection, not us. One deadline (deadline.py)
bounds the whole fetch, every hop included.

Text extraction (HTML, PDF) runs in a child process killed at its own deadline (isolated.py):
the parsers can be made to spin for minutes by a small hostile document. A process runs only
a few such children at once (WebFetchConfig.extract_concurrency), and only so many fetches
(WebFetchConfig.concurrency), each holding its body until it is read: a fetch that finds no
slot free within its caller's time fails as "busy", and the worker's memory stays bounded.

Body size: HTML and plain text are cut at `max_bytes` and marked truncated (the start of a
page is still worth reading); a PDF longer than `max_bytes` is refused as too_large, because
a cut PDF cannot be parsed.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from integrations.web import extract, isolated
from integrations.web.addresses import Allowlist, IPAddress, refusal_reason
from integrations.web.config import WebFetchConfig
from integrations.web.deadline import Deadline
from integrations.web.errors import WebFetchError
from integrations.web.slots import Slots
from integrations.web.urls import Target, parse_target

MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CONTENT_KINDS = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "application/pdf": "pdf",
}
_CHUNK = 64 * 1024
_ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,application/pdf;q=0.7"

# The network boundary: socket.getaddrinfo's signature. Tests pass their own.
Resolver = Callable[..., list[tuple[Any, ...]]]
# Fetches under way in this process, against WebFetchConfig.concurrency.
_fetch_slots = Slots()


@dataclass(frozen=True)
class Page:
    final_url: str
    status: int
    content_type: str
    title: str | None
    text: str
    truncated: bool  # the body was cut at max_bytes or the text at max_text_chars


def fetch(
    url: str,
    config: WebFetchConfig,
    *,
    resolver: Resolver = socket.getaddrinfo,
    finish_by: float | None = None,
) -> Page:
    """The page at `url` as readable text; raises WebFetchError for anything refused or failed.

    `finish_by` (a time.monotonic() value) is when the caller stops waiting, e.g. a tool's
    timeout: text extraction is killed by then at the latest.
    """
    allowlist = Allowlist.parse(config.private_allowlist)
    target = parse_target(url)
    # A fetch holds its body (up to max_bytes) until its text is extracted, maybe after a wait
    # for an extraction child: only so many at once in a process keep that memory bounded.
    wait = config.total_timeout if finish_by is None else finish_by - time.monotonic()
    if not _fetch_slots.acquire(config.concurrency, timeout=wait):
        raise WebFetchError(
            f"This worker was already fetching {max(config.concurrency, 1)} pages and none finished "
            f"within the {max(wait, 0):.0f} s there was to wait",
            code="busy",
            permanent=False,
        )
    try:
        # A wait for the slot used some of the caller's time: the fetch ends with it at the latest.
        seconds = config.total_timeout
        if finish_by is not None:
            seconds = min(seconds, finish_by - time.monotonic())
        with Deadline(seconds) as deadline:
            for _ in range(MAX_REDIRECTS + 1):
                address = _checked_address(target, allowlist, resolver)
                adapter = _PinnedAdapter(target, address, deadline)
                try:
                    response = _send(adapter, target, config, deadline)
                    with response:
                        location = response.headers.get("Location")
                        if response.status_code in REDIRECT_STATUSES and location:
                            target = parse_target(urljoin(target.url, location))
                            continue
                        return _read_page(target, response, config, deadline, finish_by)
                finally:
                    adapter.close()
    finally:
        _fetch_slots.release()
    raise WebFetchError(
        f"{url} redirected more than {MAX_REDIRECTS} times", code="too_many_redirects", permanent=True
    )


def _checked_address(target: Target, allowlist: Allowlist, resolver: Resolver) -> IPAddress:
    if not allowlist.allows_port(target.host, target.port):
        raise WebFetchError(
            f"Port {target.port} is not allowed ({target.url}); only ports 80 and 443 are fetched",
            code="port_not_allowed",
            permanent=True,
        )
    addresses = [target.ip] if target.ip is not None else _resolve(target, resolver)
    if not allowlist.allows_private(target.host, target.port):
        for address in addresses:
            if reason := refusal_reason(address):
                what = (
                    f"{address} is a" if target.ip is not None else f"{target.host} resolves to {address}, a"
                )
                raise WebFetchError(
                    f"{what} {reason} address; only public websites are fetched",
                    code="address_not_allowed",
                    permanent=True,
                )
    return addresses[0]


def _resolve(target: Target, resolver: Resolver) -> list[IPAddress]:
    try:
        answers = resolver(target.host, target.port, 0, socket.SOCK_STREAM)
    except socket.gaierror as exc:
        # EAI_AGAIN is a resolver hiccup; anything else (no such name) will not change soon.
        raise WebFetchError(
            f"Could not resolve {target.host}: {exc.strerror or exc}",
            code="dns_error",
            permanent=exc.errno != socket.EAI_AGAIN,
        ) from None
    except UnicodeError:
        raise WebFetchError(
            f"{target.host!r} is not a valid hostname", code="invalid_url", permanent=True
        ) from None
    # sockaddr[0] is the address; an IPv6 one may carry a %scope suffix.
    addresses = list(dict.fromkeys(ipaddress.ip_address(str(a[4][0]).split("%")[0]) for a in answers))
    if not addresses:
        raise WebFetchError(f"{target.host} has no addresses", code="dns_error", permanent=False)
    return addresses


class _Watched:
    """A connection that hands its socket to the fetch's deadline as soon as it is open."""

    def __init__(self, *args: Any, deadline: Deadline, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._deadline = deadline

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self._deadline.watch(self.sock)  # type: ignore[attr-defined]


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _PinnedAdapter(HTTPAdapter):
    """Sends the request to one already-checked address, whatever the URL's host resolves to now."""

    def __init__(self, target: Target, address: IPAddress, deadline: Deadline):
        super().__init__(max_retries=0)
        # Extra keyword arguments of a pool go to its connections.
        if target.scheme == "https":
            # server_hostname drives SNI and the certificate's hostname check (ssl's own).
            self._pool: HTTPConnectionPool = HTTPSConnectionPool(
                str(address), target.port, maxsize=1, server_hostname=target.host, deadline=deadline
            )
            self._pool.ConnectionCls = _WatchedHTTPSConnection
        else:
            self._pool = HTTPConnectionPool(str(address), target.port, maxsize=1, deadline=deadline)
            self._pool.ConnectionCls = _WatchedHTTPConnection

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None) -> HTTPConnectionPool:
        return self._pool

    def close(self) -> None:
        super().close()
        self._pool.close()


def _send(
    adapter: _PinnedAdapter, target: Target, config: WebFetchConfig, deadline: Deadline
) -> requests.Response:
    remaining = _remaining(deadline, target)
    headers = {
        # The pool was opened on the IP; the server must still see the name.
        "Host": target.netloc,
        "User-Agent": config.user_agent,
        "Accept": _ACCEPT,
        "Accept-Encoding": "gzip, deflate",
    }
    try:
        request = requests.Request("GET", target.url, headers=headers).prepare()
        timeout = (min(config.connect_timeout, remaining), remaining)
        response = adapter.send(request, stream=True, timeout=timeout, verify=True)
    except (requests.exceptions.ConnectTimeout, requests.exceptions.ReadTimeout):
        raise _timeout(target) from None
    except requests.exceptions.SSLError as exc:
        raise WebFetchError(
            f"TLS failed for {target.host}: {exc}", code="tls_error", permanent=True
        ) from None
    except requests.exceptions.InvalidURL as exc:
        raise WebFetchError(f"Invalid URL {target.url}: {exc}", code="invalid_url", permanent=True) from None
    except requests.exceptions.ConnectionError as exc:
        if deadline.passed:  # the deadline shut the socket down under a slow server
            raise _timeout(target) from None
        raise WebFetchError(
            f"Could not connect to {target.netloc}: {exc}", code="connection_error", permanent=False
        ) from None
    if deadline.passed:  # headers cut short by the deadline, not a real response
        response.close()
        raise _timeout(target)
    return response


def _read_page(
    target: Target,
    response: requests.Response,
    config: WebFetchConfig,
    deadline: Deadline,
    finish_by: float | None,
) -> Page:
    status = response.status_code
    if status >= 300:
        raise WebFetchError(
            f"{target.url} answered HTTP {status} {response.reason or ''}".rstrip(),
            code="http_error",
            permanent=status < 500 and status not in (408, 425, 429),
        )
    mime, _, params = response.headers.get("Content-Type", "").partition(";")
    mime = mime.strip().lower()
    kind = CONTENT_KINDS.get(mime)
    if kind is None:
        raise WebFetchError(
            f"{target.url} is {mime or 'of an undeclared type'}; only HTML, plain text and PDF are read",
            code="unsupported_content_type",
            permanent=True,
        )
    declared_length = response.headers.get("Content-Length", "")
    if kind == "pdf" and declared_length.isdigit() and int(declared_length) > config.max_bytes:
        raise _too_large(target, config)
    body, truncated = _read_body(response.raw, target, config.max_bytes, deadline)
    if kind == "pdf" and truncated:
        raise _too_large(target, config)
    if kind == "text":  # decoding and tidying are linear in the (capped) body: no child needed
        title, text = extract.plain_text(body, _charset(params), truncated=truncated)
    else:
        title, text = isolated.extract_text(
            kind, body, _charset(params), truncated=truncated, limits=_extract_limits(config, finish_by)
        )
    return Page(
        final_url=target.url,
        status=status,
        content_type=mime,
        title=title,
        text=text[: config.max_text_chars],
        truncated=truncated or len(text) > config.max_text_chars,
    )


def _read_body(
    raw: urllib3.HTTPResponse, target: Target, limit: int, deadline: Deadline
) -> tuple[bytes, bool]:
    """Up to `limit` decoded bytes, and whether there was more."""
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= limit:
            # read1 returns after one network read, and at most this many decoded bytes,
            # so a compression bomb is cut at the cap, not after it has been inflated.
            chunk = raw.read1(min(_CHUNK, limit + 1 - size), decode_content=True)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except (TimeoutError, urllib3.exceptions.ReadTimeoutError):
        raise _timeout(target) from None
    except (OSError, urllib3.exceptions.HTTPError) as exc:
        if deadline.passed:
            raise _timeout(target) from None
        raise WebFetchError(
            f"Reading {target.url} failed: {exc}", code="connection_error", permanent=False
        ) from None
    # An end of body at the deadline is the deadline shutting the socket, not the real end.
    if deadline.passed:
        raise _timeout(target)
    body = b"".join(chunks)
    return body[:limit], size > limit


def _extract_limits(config: WebFetchConfig, finish_by: float | None) -> isolated.Limits:
    seconds = config.extract_timeout
    if finish_by is not None:
        seconds = min(seconds, finish_by - time.monotonic())
    return isolated.Limits(
        seconds=seconds,
        memory_bytes=config.extract_memory_mb * 2**20,
        max_chars=config.max_text_chars,
        max_pdf_pages=config.pdf_max_pages,
        concurrency=config.extract_concurrency,
        finish_by=finish_by,
    )


def _charset(params: str) -> str | None:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip()
    return None


def _remaining(deadline: Deadline, target: Target) -> float:
    remaining = deadline.remaining()
    if remaining <= 0:
        raise _timeout(target)
    return remaining


def _timeout(target: Target) -> WebFetchError:
    return WebFetchError(f"Fetching {target.url} took too long", code="timeout", permanent=False)


def _too_large(target: Target, config: WebFetchConfig) -> WebFetchError:
    return WebFetchError(
        f"{target.url} is a PDF larger than {config.max_bytes} bytes", code="too_large", permanent=True
    )
