"""A requests transport that sends Salesforce's hosts to the emulator, for the login flows."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter


class EmulatorAdapter(HTTPAdapter):
    """Rewrites `https://<anything>.salesforce.com/…` (login, token and My Domain hosts) and the
    emulator's own address to the emulator, verified against its CA.

    simple-salesforce hard-codes `https://{domain}.salesforce.com` for the token flows, so this
    lets the client credentials and JWT flows run unchanged in-process.
    """

    def __init__(self, netloc: str, ca_bundle: str):
        super().__init__()
        self.netloc = netloc
        self.ca_bundle = ca_bundle

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = urlsplit(request.url)
        host = url.hostname or ""
        if host == "salesforce.com" or host.endswith(".salesforce.com") or url.netloc == self.netloc:
            request.url = urlunsplit(url._replace(netloc=self.netloc))
            kwargs["verify"] = self.ca_bundle
        return super().send(request, **kwargs)
