"""A Slack-compatible incoming webhook on 127.0.0.1 that records what it is sent (for tests and the demo)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler

from sandbox.loopback import LoopbackServer


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
            # Slack's answer to a payload without text.
            self._answer(400, b"no_text")
            return
        self.server.owner.record(payload)  # type: ignore[attr-defined]
        self._answer(200, b"ok")

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


class SlackReceiver(LoopbackServer):
    handler_class = _Handler
    thread_name = "slack-receiver"

    def __init__(self, port: int = 0):
        super().__init__(port)
        self._lock = threading.Lock()
        self._posts: list[dict] = []

    def record(self, payload: dict) -> None:
        with self._lock:
            self._posts.append(payload)

    @property
    def posts(self) -> list[dict]:
        with self._lock:
            return list(self._posts)

    def clear(self) -> None:
        with self._lock:
            self._posts.clear()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/services/T000/B000/XXXX"
