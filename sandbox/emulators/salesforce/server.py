"""The emulator: a loopback HTTPS server speaking Salesforce's REST and OAuth wire formats."""

from __future__ import annotations

import sys
import tempfile
import threading
import traceback
from collections import Counter
from functools import partial
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

from sandbox.loopback import NoDelayHTTPServer

from . import oauth
from .faults import Faults
from .files import Files
from .org import Org
from .rest import DataApi
from .tls import make_certificates
from .transport import EmulatorAdapter
from .wire import JSON_TYPE, ApiError, Request, Response, not_found

DEFAULT_ACCESS_TOKEN = "00D5g000004emuAEAQ!AQ4AQEmulatorAccessToken"


class SalesforceEmulator:
    def __init__(
        self,
        access_token: str = DEFAULT_ACCESS_TOKEN,
        client_id: str = "3MVG9emulator.consumer.key",
        client_secret: str = "emulator-consumer-secret",
        *,
        username: str = "vicbot-integration@example.com",
        my_domain: str = "vicbot-emulator.my",
        api_version: str = "62.0",
        page_size: int = 2000,
        daily_api_limit: int = 15000,
        jwt_public_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ):
        self.access_token = access_token
        self.client_id = client_id
        self.client_secret = client_secret
        self.username = username  # the JWT flow's `sub`
        self.my_domain = my_domain  # the client credentials flow's `domain`
        # JWT `aud` may name the production or sandbox login host or the My Domain host.
        self.token_audiences = {
            "https://login.salesforce.com",
            "https://test.salesforce.com",
            f"https://{my_domain}.salesforce.com",
        }
        self.api_version = api_version
        self.page_size = page_size
        self.daily_api_limit = daily_api_limit
        self.jwt_public_key = jwt_public_key  # when set, JWT signatures are verified too
        self.org = Org()
        self.files = Files(self.org)
        self.faults = Faults()
        self.api_calls = 0  # REST calls, as Salesforce counts them against DailyApiRequests
        self.calls_by_endpoint: Counter[str] = Counter()
        self.token_requests = 0
        self._host, self._port = host, port
        self._counter_lock = threading.Lock()
        self._api = DataApi(self)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._directory: tempfile.TemporaryDirectory[str] | None = None
        self.ca_bundle = ""
        self.instance_url = ""

    def start(self) -> SalesforceEmulator:
        self._directory = tempfile.TemporaryDirectory(prefix="salesforce-emulator-")
        ca_path, context = make_certificates(Path(self._directory.name))
        self.ca_bundle = str(ca_path)
        self._server = _Server((self._host, self._port), _Handler)
        self._server.emulator = self
        # The handshake happens in the handler thread, so one stalled client cannot block accept().
        self._server.socket = context.wrap_socket(
            self._server.socket, server_side=True, do_handshake_on_connect=False
        )
        self.instance_url = f"https://{self._host}:{self._server.server_address[1]}"
        # A short poll interval so stop() (and with it every test's teardown) is quick.
        serve = partial(self._server.serve_forever, poll_interval=0.05)
        self._thread = threading.Thread(target=serve, name="salesforce-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = None
        if self._directory is not None:
            self._directory.cleanup()
            self._directory = None

    def __enter__(self) -> SalesforceEmulator:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def session(self) -> requests.Session:
        """A session whose https:// transport reaches the emulator for every Salesforce host."""
        session = requests.Session()
        session.mount("https://", EmulatorAdapter(urlsplit(self.instance_url).netloc, self.ca_bundle))
        return session

    def count_call(self, endpoint: str) -> bool:
        """Count one REST call, unless the org's daily allowance is used up (then it is refused)."""
        with self._counter_lock:
            if self.api_calls >= self.daily_api_limit:
                return False
            self.api_calls += 1
            self.calls_by_endpoint[endpoint] += 1
            return True

    def handle(self, request: Request) -> Response:
        try:
            if request.path.rstrip("/") == "/services/oauth2/token" and request.method == "POST":
                with self._counter_lock:
                    self.token_requests += 1
                return oauth.token(self, request)
            if request.path.startswith("/services/data/"):
                return self._api.handle(request)
            error = not_found()
        except Exception:
            traceback.print_exc(file=sys.stderr)
            error = ApiError(
                500,
                "UNKNOWN_EXCEPTION",
                "An unexpected error occurred. Please include this ErrorId if you contact support: emulator",
            )
        return Response(error.status, error.body(), {"Content-Type": JSON_TYPE})


class _Server(NoDelayHTTPServer):  # no Nagle stall on keep-alive connections (see there)
    emulator: SalesforceEmulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (e.g. it timed out on a `slow` fault) is not an emulator bug.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as requests' connection pool expects
    timeout = 30  # idle keep-alive connections end on their own

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        request = Request(
            self.command, url.path, dict(parse_qsl(url.query, keep_blank_values=True)), self.headers, body
        )
        response = self.server.emulator.handle(request)
        payload = response.encoded()
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.status != 204:
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_PATCH = do_DELETE = do_PUT = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests and the demo read the emulator's counters, not an access log
