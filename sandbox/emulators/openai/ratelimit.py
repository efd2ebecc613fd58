"""The ``x-ratelimit-*`` headers OpenAI sends on every reply.

The limits are what the emulator announces, and it enforces them as OpenAI does: a create
that would take the last minute's requests past the requests limit, or its tokens (input and
output, counted as it is made: OpenAI counts its estimate of the output then) past the
tokens limit, is refused with a 429 ``rate_limit_exceeded`` (and counts for nothing), so a
client that overspends sees what it would see from OpenAI rather than a benchmark that lies.
Usage is tracked over a sliding one-minute window on the emulator clock: the remaining
headers say truthfully what that window leaves. Only creates are counted (a retrieve runs
no model). Reset times follow OpenAI's token-bucket reading (time to refill what was used)
and are written as Go durations (``12ms``, ``1.5s``, ``6m0s``), which clients parse.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

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

    def clear(self) -> None:
        """Forget what was used (a minute has passed, as far as the limits are concerned): tests start afresh."""
        with self._lock:
            self._usage.clear()

    def take(self, now: float, tokens: int) -> Refusal | None:
        """Count a create of `tokens` if the window has room for it; else why not, and when to try again."""
        with self._lock:
            requests, used = self._used(now)
            if requests + 1 > self.requests_per_minute:
                return Refusal("requests per min (RPM)", "requests", self.requests_per_minute, requests, 1,
                               self._wait(now, lambda r, _t: r + 1 <= self.requests_per_minute))
            if used + tokens > self.tokens_per_minute:
                return Refusal("tokens per min (TPM)", "tokens", self.tokens_per_minute, used, tokens,
                               self._wait(now, lambda _r, t: t + tokens <= self.tokens_per_minute))
            self._usage.append((now, tokens))
            return None

    def _used(self, now: float) -> tuple[int, int]:
        while self._usage and self._usage[0][0] <= now - WINDOW_SECONDS:
            self._usage.popleft()
        return len(self._usage), sum(count for _, count in self._usage)

    def _wait(self, now: float, fits) -> float:
        """Seconds until enough of the window has slid out for `fits(requests, tokens)` to hold."""
        requests, tokens = len(self._usage), sum(count for _, count in self._usage)
        for at, count in self._usage:
            requests, tokens = requests - 1, tokens - count
            if fits(requests, tokens):
                return max(at + WINDOW_SECONDS - now, 0.001)
        return WINDOW_SECONDS  # more than the whole limit at once: never fits (OpenAI says 400 then; rare)

    def headers(self, now: float) -> dict[str, str]:
        with self._lock:
            requests, tokens = self._used(now)
        return {
            "x-ratelimit-limit-requests": str(self.requests_per_minute),
            "x-ratelimit-limit-tokens": str(self.tokens_per_minute),
            "x-ratelimit-remaining-requests": str(max(self.requests_per_minute - requests, 0)),
            "x-ratelimit-remaining-tokens": str(max(self.tokens_per_minute - tokens, 0)),
            "x-ratelimit-reset-requests": go_duration(requests / self.requests_per_minute * WINDOW_SECONDS),
            "x-ratelimit-reset-tokens": go_duration(tokens / self.tokens_per_minute * WINDOW_SECONDS),
        }


@dataclass(frozen=True)
class Refusal:
    """A create the limits refused: OpenAI's wording of which limit, and the wait before one would fit."""

    limit_name: str  # as OpenAI's message words it
    kind: str  # the error's type: "requests" or "tokens"
    limit: int
    used: int
    requested: int
    retry_after: float

    def message(self, model: str) -> str:
        return (f"Rate limit reached for {model} in organization org-emulator on {self.limit_name}: "
                f"Limit {self.limit}, Used {self.used}, Requested {self.requested}. "
                f"Please try again in {go_duration(self.retry_after)}. "
                "Visit https://platform.openai.com/account/rate-limits to learn more.")


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
