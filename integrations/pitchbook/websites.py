"""The registrable domain of a website, the form PitchBook's exact search is given.

PitchBook stores websites bare (`www.acme.com`, §2 of the fact sheet) and `companyNames`
matches exactly, so a pitch's `https://www.acme.co.uk/about` is searched as `acme.co.uk`:
the part a company registers, which survives landing pages, `www.` and sub-sites.

The Public Suffix List decides where the registrable part starts (`co.uk` is a suffix,
`github.io` too). It comes from the `tld` package, installed with trafilatura, which reads
its bundled copy of the list and never fetches one. A host whose suffix is not on the list
(`.example`, a company-internal TLD) falls back to its last two labels.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from tld import get_fld


def registrable_domain(website: str) -> str | None:
    """`https://www.acme.co.uk/about` -> `acme.co.uk`; None for an IP address or a bare host."""
    text = (website or "").strip()
    if not text:
        return None
    try:
        host = urlsplit(text if "//" in text else f"//{text}").hostname
    except ValueError:
        return None
    host = (host or "").rstrip(".").lower()
    if not host or "." not in host or _is_ip(host):
        return None
    found = get_fld(host, fix_protocol=True, fail_silently=True)
    if found:
        return str(found).lower()
    return ".".join(host.split(".")[-2:])


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
