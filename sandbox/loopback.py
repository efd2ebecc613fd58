"""A stdlib HTTP server on 127.0.0.1 in a daemon thread: the base of the small emulators."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self


class NoDelayHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer whose connections send each write at once (TCP_NODELAY).

    http.server writes the status line and headers, then the body, as separate sends. With
    Nagle's algorithm on, the body waits for the client to ACK the headers, and a keep-alive
    client delays that ACK (~40 ms on Linux): every request on a reused connection would
    stall ~40 ms. The real services answer at once, so the emulators must too.
    """

    daemon_threads = True  # a slow response must not keep stop() waiting

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address


class LoopbackServer:
    """Subclasses set `handler_class`; handlers reach the subclass as `self.server.owner`."""

    handler_class: ClassVar[type[BaseHTTPRequestHandler]]
    thread_name: ClassVar[str] = "loopback-server"

    def __init__(self, port: int = 0):
        self._requested_port = port
        self._server: NoDelayHTTPServer | None = None

    def start(self) -> Self:
        self._server = NoDelayHTTPServer(("127.0.0.1", self._requested_port), self.handler_class)
        self._server.owner = self  # type: ignore[attr-defined]
        # A short poll keeps stop() (and so each test's teardown) quick.
        threading.Thread(target=self._server.serve_forever, args=(0.05,), name=self.thread_name, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() first"
        return self._server.server_address[1]
