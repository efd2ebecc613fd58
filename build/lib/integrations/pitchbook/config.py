"""Where the PitchBook client's settings come from (the only module here that reads Django settings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PitchBookConfig:
    api_key: str | None = None
    api_url: str = "https://api.pitchbook.com"
    timeout: float = 15.0  # per HTTP request
    # Retries of 429/5xx/connection failures within one call, kept small because a tool
    # call waits on them.
    max_attempts: int = 3
    backoff_seconds: float = 1.0  # doubled after each failure without a Retry-After
    # A Retry-After longer than this is not waited for: the call fails as rate_limited.
    max_retry_after: float = 10.0

    @classmethod
    def from_settings(cls) -> PitchBookConfig:
        from django.conf import settings

        return cls(
            api_key=getattr(settings, "PITCHBOOK_API_KEY", None) or None,
            api_url=(getattr(settings, "PITCHBOOK_API_URL", None) or cls.api_url).rstrip("/"),
            timeout=float(getattr(settings, "PITCHBOOK_TIMEOUT", None) or cls.timeout),
        )

    @property
    def is_configured(self) -> bool:
        return bool(self.api_key)

    def __repr__(self) -> str:  # the key stays out of logs and tracebacks
        return f"PitchBookConfig(api_url={self.api_url!r}, configured={self.is_configured})"
