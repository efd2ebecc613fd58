"""Helpers for the emulator tests: a webhook receiver, polling, an SDK client."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from openai import OpenAI

from sandbox.emulators.openai import OpenAIEmulator

WEBHOOK_SECRET = "whsec_" + "c2VjcmV0LWZvci10aGUtZW11bGF0b3ItdGVzdHM="  # base64 of a test key


def wait_until(predicate: Callable[[], Any], timeout: float = 3.0) -> Any:
    """Poll ``predicate`` until it returns something truthy (background threads are involved)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.01)
    raise AssertionError(f"condition not met within {timeout}s")


class WebhookReceiver:
    """A loopback endpoint that records raw webhook deliveries.

    ``replies`` scripts the status codes it answers with, in order (then 200).
    """

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.replies: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.replies.pop(0) if receiver.replies else 200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/webhooks/openai"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def make_client(emu: OpenAIEmulator, **options: Any) -> OpenAI:
    options.setdefault("max_retries", 0)
    return OpenAI(api_key=emu.api_key, base_url=emu.base_url, _strict_response_validation=True, **options)
