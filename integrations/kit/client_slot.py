"""One client per process, for the settings it was built from.

A client holds a connection pool (and Salesforce's, a login), so each process keeps one. The rule,
the same for every client: the slot rebuilds the client when the settings it was built from change
(tests and the demo switch them; a stale URL or key must never be used), and in a child process
after a fork (a pool's sockets must not be shared with the parent). Thread-safe: threads of one
process share the client. The old client is not closed: another thread may still be using it; its
pool is released when it is garbage-collected.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Client = TypeVar("Client")
Settings = TypeVar("Settings", bound=Hashable)


class ClientSlot(Generic[Client, Settings]):
    def __init__(self, build: Callable[[Settings], Client], settings: Callable[[], Settings]):
        self._build = build
        self._settings = settings
        self._lock = threading.Lock()
        self._client: Client | None = None
        self._built_from: Settings | None = None
        self._pid = os.getpid()
        # A lock another thread held at the fork stays held in the child: the child starts afresh.
        os.register_at_fork(after_in_child=self._after_fork)

    def get(self) -> Client:
        settings = self._settings()
        with self._lock:
            if self._client is None or self._built_from != settings or self._pid != os.getpid():
                self._client = self._build(settings)
                self._built_from, self._pid = settings, os.getpid()
            return self._client

    def reset(self) -> None:
        """Forget the client; the next get() builds anew."""
        with self._lock:
            self._client = None

    def _after_fork(self) -> None:
        self._lock = threading.Lock()
        self._client = None
