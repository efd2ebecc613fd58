"""Standard-Webhooks-signed delivery of ``response.*`` events, as OpenAI does it.

OpenAI POSTs a thin event (``{id, type, created_at, data: {id}, object}``) with
``webhook-id``, ``webhook-timestamp`` and ``webhook-signature: v1,<base64
HMAC-SHA256 of "{id}.{timestamp}.{body}">``; the key is the base64-decoded part
after ``whsec_`` (or the raw secret's UTF-8 bytes). Non-2xx replies and
connection errors are retried with backoff. Delivery runs on its own thread so a
slow receiver never holds up API requests.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import itertools
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from . import ids

USER_AGENT = "OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)"
EVENT_TYPES = {
    "completed": "response.completed",
    "failed": "response.failed",
    "cancelled": "response.cancelled",
    "incomplete": "response.incomplete",
}


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def signing_key(secret: str) -> bytes:
    return base64.b64decode(secret[len("whsec_") :]) if secret.startswith("whsec_") else secret.encode()


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def response_event(status: str, response_id: str, created_at: float) -> dict[str, Any]:
    return {
        "id": ids.event_id(),
        "type": EVENT_TYPES[status],
        "created_at": int(created_at),
        "data": {"id": response_id},
        "object": "event",
    }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx is a failed delivery for OpenAI, not something to follow."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# Webhook targets are explicit URLs (usually loopback): never route them via env proxies.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


@dataclass
class _Delivery:
    url: str
    secret: str
    webhook_id: str
    event: dict[str, Any]
    body: bytes
    attempt: int = 1


class WebhookSender:
    """Delivers events on a background thread, retrying failures with backoff.

    Each event is addressed when it is queued, so the emulator's ``webhook_url``
    and ``webhook_secret`` may change while it runs. Every attempt is appended to
    ``deliveries`` (a list the emulator exposes) as ``{"webhook_id", "id", "type",
    "response_id", "attempt", "status_code", "error"}``.
    """

    def __init__(
        self,
        deliveries: list[dict[str, Any]],
        *,
        max_attempts: int = 5,
        backoff: float = 0.05,
        timeout: float = 2.0,
    ) -> None:
        self.deliveries = deliveries
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.timeout = timeout
        self._queue: list[tuple[float, int, _Delivery]] = []
        self._order = itertools.count()
        self._wakeup = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="openai-emulator-webhooks", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._wakeup:
            self._stopped = True
            self._wakeup.notify_all()
        self._thread.join(timeout=5)

    def send(self, url: str, secret: str, event: dict[str, Any], *, copies: int = 1) -> None:
        """Queue an event; ``copies`` > 1 re-delivers it under the same webhook-id."""
        body = json.dumps(event, separators=(",", ":")).encode()
        webhook_id = ids.webhook_id()
        for copy in range(copies):
            # Copies go out slightly apart, as real redeliveries would.
            self._schedule(_Delivery(url, secret, webhook_id, event, body), delay=copy * self.backoff)

    def _schedule(self, delivery: _Delivery, delay: float) -> None:
        with self._wakeup:
            heapq.heappush(self._queue, (time.monotonic() + delay, next(self._order), delivery))
            self._wakeup.notify_all()

    def _run(self) -> None:
        while True:
            with self._wakeup:
                while not self._stopped and (not self._queue or self._queue[0][0] > time.monotonic()):
                    timeout = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._wakeup.wait(timeout)
                if self._stopped:
                    return
                _, _, delivery = heapq.heappop(self._queue)
            if not self._attempt(delivery) and delivery.attempt < self.max_attempts:
                delay = self.backoff * 2 ** (delivery.attempt - 1)
                delivery.attempt += 1
                self._schedule(delivery, delay)

    def _attempt(self, delivery: _Delivery) -> bool:
        # The timestamp is real wall time, not the emulator clock: receivers check it
        # against their own clock (±5 min), and a manual clock may be far behind.
        timestamp = int(time.time())
        request = urllib.request.Request(
            delivery.url,
            data=delivery.body,
            method="POST",
            headers={
                "content-type": "application/json",
                "user-agent": USER_AGENT,
                "webhook-id": delivery.webhook_id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": sign(delivery.secret, delivery.webhook_id, timestamp, delivery.body),
            },
        )
        status: int | None = None
        error: str | None = None
        try:
            with _OPENER.open(request, timeout=self.timeout) as reply:
                status = reply.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (OSError, urllib.error.URLError) as exc:
            error = str(exc)
        self.deliveries.append(
            {
                "webhook_id": delivery.webhook_id,
                "id": delivery.event["id"],
                "type": delivery.event["type"],
                "response_id": delivery.event["data"]["id"],
                "attempt": delivery.attempt,
                "status_code": status,
                "error": error,
            }
        )
        return status is not None and 200 <= status < 300
