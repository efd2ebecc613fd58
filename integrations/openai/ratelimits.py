"""What OpenAI says about our rate limits on every reply, and who wants to know.

Every reply (429s included) carries `x-ratelimit-limit-{requests,tokens}` (per minute, for
the model of the request), `x-ratelimit-remaining-*` and `x-ratelimit-reset-*` (Go
durations: `12ms`, `6m0s`). The client built in `client.py` reads them in an httpx
response hook, so no call site has to ask for raw responses; a higher layer listens with
`on_rate_limits` (this package imports nothing of ours, so it cannot call it directly).

Only a create names its model (in the request body); a retrieve or cancel does not, and
its reading has `model=None`.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx2

log = logging.getLogger(__name__)

# 429 codes that mean "too fast" (as opposed to the billing ones: waiting cannot fix those).
SPEED_CODES = frozenset({"rate_limit_exceeded", "slow_down"})

_PREFIX = "x-ratelimit-"
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


@dataclass(frozen=True)
class RateLimitReading:
    status: int
    model: str | None = None
    limit_requests: int | None = None  # per minute
    limit_tokens: int | None = None  # per minute
    remaining_requests: int | None = None
    remaining_tokens: int | None = None
    reset_requests_seconds: float | None = None
    reset_tokens_seconds: float | None = None
    error_code: str | None = None  # a 429's `error.code`

    @property
    def has_limits(self) -> bool:
        return self.limit_requests is not None and self.limit_tokens is not None

    @property
    def too_fast(self) -> bool:
        """A 429 that says we sent too much too quickly (not that the money ran out)."""
        return self.status == 429 and self.error_code in SPEED_CODES


def parse_go_duration(text: str | None) -> float | None:
    """Seconds in a Go duration (`12ms`, `1.5s`, `6m0s`, `1h2m3.5s`, `0`); None if it is not one."""
    if text is None:
        return None
    text = text.strip()
    if text in ("0", "+0", "-0"):
        return 0.0
    if not text or _PART.sub("", text):
        return None
    return sum(float(number) * _UNITS[unit] for number, unit in _PART.findall(text))


def reading_from(status: int, headers: Mapping[str, str], *, model: str | None = None,
                 error_code: str | None = None) -> RateLimitReading | None:
    """The reading of one reply; None when it says nothing about rate limits."""
    values = {name.lower()[len(_PREFIX):]: value for name, value in headers.items()
              if name.lower().startswith(_PREFIX)}
    if not values and status != 429:
        return None
    return RateLimitReading(
        status=status,
        model=model,
        limit_requests=_count(values.get("limit-requests")),
        limit_tokens=_count(values.get("limit-tokens")),
        remaining_requests=_count(values.get("remaining-requests")),
        remaining_tokens=_count(values.get("remaining-tokens")),
        reset_requests_seconds=parse_go_duration(values.get("reset-requests")),
        reset_tokens_seconds=parse_go_duration(values.get("reset-tokens")),
        error_code=error_code,
    )


def _count(text: str | None) -> int | None:
    try:
        return int(text.strip()) if text is not None else None
    except ValueError:
        return None


# -- listeners -------------------------------------------------------------------

Listener = Callable[[RateLimitReading], None]
_listeners: list[Listener] = []
_listeners_lock = threading.Lock()


def on_rate_limits(listener: Listener) -> Callable[[], None]:
    """Call `listener` with the reading of every reply of every client `build_client` made.

    Called on the thread that made the call, before the SDK sees the reply; a listener that
    raises is logged and ignored (knowing our limits must never break a call). Registering
    the same listener twice is one registration. Returns a function that removes it.
    """
    with _listeners_lock:
        if listener not in _listeners:
            _listeners.append(listener)

    def remove() -> None:
        with _listeners_lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return remove


def rate_limit_hook(response: httpx2.Response) -> None:
    """The httpx response event hook: read the reply's limits and tell the listeners."""
    listeners = list(_listeners)
    if not listeners:
        return
    try:
        reading = reading_from(
            response.status_code, response.headers, model=_model_of(response.request),
            error_code=_error_code(response) if response.status_code == 429 else None,
        )
    except Exception:
        log.exception("Could not read OpenAI's rate-limit headers")
        return
    if reading is None:
        return
    for listener in listeners:
        try:
            listener(reading)
        except Exception:
            log.exception("A rate-limit listener failed")


def _model_of(request: httpx2.Request) -> str | None:
    # Only a create (POST /responses) names its model; its body is JSON the SDK already holds.
    if request.method != "POST" or not request.url.path.rstrip("/").endswith("/responses"):
        return None
    try:
        model = json.loads(request.content).get("model")
    except (httpx2.RequestNotRead, ValueError, AttributeError):
        return None
    return model if isinstance(model, str) and model else None


def _error_code(response: httpx2.Response) -> str | None:
    try:
        response.read()  # an error body is small, and the SDK reads it next anyway
        error = response.json().get("error")
    except (ValueError, AttributeError, httpx2.HTTPError, httpx2.StreamError):
        return None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else None
