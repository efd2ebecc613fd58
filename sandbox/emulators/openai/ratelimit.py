"""The ``x-ratelimit-*`` headers OpenAI sends on every reply.

The limits are what the emulator announces (it never refuses a request for exceeding
them: tests inject 429s as faults). Usage is tracked over a sliding one-minute window on the emulator clock. Reset
times follow OpenAI's token-bucket reading (time to refill what was used) and
are written as Go durations (``12ms``, ``1.5s``, ``6m0s``), which clients parse.
"""

from __future__ import annotations

import threading
from collections import deque

WINDOW_SECONDS = 60.0
DEFAULT_REQUESTS_PER_MINUTE = 5_000
DEFAULT_TOKENS_PER_MINUTE = 2_000_000


class RateLimits:
    def __init__(self, requests_per_minute: int = DEFAULT_REQUESTS_PER_MINUTE,
                 tokens_per_minute: int = DEFAULT_TOKENS_PER_MINUTE) -> None:
        if requests_per_minute < 1 or tokens_per_minute < 1:
            raise ValueError("rate limits are positive numbers per minute")
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self._lock = threading.Lock()
        self._usage: deque[tuple[float, int]] = deque()

    def record(self, now: float, tokens: int) -> None:
        with self._lock:
            self._usage.append((now, tokens))

    def headers(self, now: float) -> dict[str, str]:
        with self._lock:
            while self._usage and self._usage[0][0] <= now - WINDOW_SECONDS:
                self._usage.popleft()
            requests = len(self._usage)
            tokens = sum(count for _, count in self._usage)
        return {
            "x-ratelimit-limit-requests": str(self.requests_per_minute),
            "x-ratelimit-limit-tokens": str(self.tokens_per_minute),
            "x-ratelimit-remaining-requests": str(max(self.requests_per_minute - requests, 0)),
            "x-ratelimit-remaining-tokens": str(max(self.tokens_per_minute - tokens, 0)),
            "x-ratelimit-reset-requests": go_duration(requests / self.requests_per_minute * WINDOW_SECONDS),
            "x-ratelimit-reset-tokens": go_duration(tokens / self.tokens_per_minute * WINDOW_SECONDS),
        }


def go_duration(seconds: float) -> str:
    """Format like Go's ``time.Duration.String()``: ``0s``, ``12ms``, ``1.5s``, ``6m0s``."""
    if seconds <= 0:
        return "0s"
    if seconds < 1:
        return _trim(seconds * 1000) + "ms"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{int(hours)}h" if hours else ""
    if hours or minutes:
        text += f"{int(minutes)}m"
    return text + _trim(secs) + "s"


def _trim(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")
