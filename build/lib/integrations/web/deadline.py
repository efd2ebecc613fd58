"""A wall-clock deadline for one fetch that holds even against a server sending a byte at a time.

Socket timeouts bound each read, not their sum, so a server can dribble headers or a body
for as long as it likes. At the deadline this shuts down every socket the fetch opened,
which wakes any read blocked on it; the fetcher then reports a timeout. (Name resolution
cannot be interrupted this way; it happens before any socket exists.)
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Self


class Deadline:
    def __init__(self, seconds: float):
        self.expires_at = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._expired = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Self:
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._timer.cancel()

    def remaining(self) -> float:
        return self.expires_at - time.monotonic()

    @property
    def passed(self) -> bool:
        return self.remaining() <= 0

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if not self._expired:
                self._sockets.append(sock)
                return
        _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self._expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: nothing left to wake
