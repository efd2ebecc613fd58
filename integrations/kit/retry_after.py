"""`Retry-After`, read one way for every client: seconds or an HTTP date (RFC 9110 §10.2.3), plus
OpenAI's `retry-after-ms`, bounded so that a nonsense value cannot park work for ever."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

# The longest wait honoured as asked: a day covers the longest real one (a daily quota renewing);
# beyond that the value is taken to be a mistake and the wait is this bound.
MAX_RETRY_AFTER_SECONDS = 24 * 3600.0


def retry_after_seconds(headers: Mapping[str, Any] | Any, *, now: float | None = None,
                        bound: float = MAX_RETRY_AFTER_SECONDS) -> float | None:
    """Seconds the other side asked us to wait, between 0 and `bound`; None if it did not say, or
    said something unreadable. `headers` is any mapping with `.get` (requests and httpx headers are
    case-insensitive; a plain dict is tried in both spellings)."""
    if (millis := _seconds(_header(headers, "retry-after-ms"))) is not None:
        return min(millis / 1000, bound)
    value = _header(headers, "retry-after")
    if not value:
        return None
    if (seconds := _seconds(value)) is not None:
        return min(seconds, bound)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return min(max(when - (time.time() if now is None else now), 0.0), bound)


def _header(headers: Any, name: str) -> str:
    value = headers.get(name) or headers.get(name.title())
    return str(value).strip() if value else ""


def _seconds(value: str) -> float | None:
    """A number of seconds (delta-seconds; fractions accepted), never negative; None if not a number."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    if math.isnan(seconds):
        return None
    return max(seconds, 0.0)
