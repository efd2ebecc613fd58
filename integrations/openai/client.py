"""The OpenAI client Vicbot uses: no SDK retries, a timeout on every call, limits read on every reply.

The SDK retries `responses.create` on timeouts and 5xx without an idempotency key,
which can bill one turn twice; so retries are ours (see vicbot.services.runs).
Every reply's `x-ratelimit-*` headers go to the listeners of `ratelimits.on_rate_limits`.
"""

from __future__ import annotations

from dataclasses import dataclass

import openai

from integrations.kit import ClientSlot
from integrations.openai.ratelimits import rate_limit_hook


@dataclass(frozen=True)
class OpenAIConfig:
    api_key: str
    base_url: str | None = None  # None: the SDK's default (or OPENAI_BASE_URL)
    timeout: float = 30.0
    webhook_secret: str | None = None

    @classmethod
    def from_settings(cls) -> OpenAIConfig:
        from django.conf import settings

        return cls(
            api_key=settings.OPENAI_API_KEY,
            base_url=settings.OPENAI_BASE_URL or None,
            timeout=settings.OPENAI_TIMEOUT,
            webhook_secret=settings.OPENAI_WEBHOOK_SECRET or None,
        )


def build_client(config: OpenAIConfig) -> openai.OpenAI:
    return openai.OpenAI(
        api_key=config.api_key or "missing-openai-api-key",  # fails as a 401, with a clear message
        base_url=config.base_url,
        timeout=config.timeout,
        max_retries=0,
        webhook_secret=config.webhook_secret,
        # The SDK's own defaults (pool limits, redirects) with one addition: an event hook that
        # sees every reply, errors included, so no call site needs `with_raw_response`.
        http_client=_HttpClient(event_hooks={"response": [rate_limit_hook]}),
    )


class _HttpClient(openai.DefaultHttpxClient):
    """Closes its pool when garbage-collected, as the SDK's own client does (see reset_client)."""

    def __del__(self) -> None:
        try:
            if not self.is_closed:
                self.close()
        except Exception:
            pass


# One client per process for the settings it was built from (integrations.kit.client_slot): it holds a
# connection pool; rebuilt when the settings change or after a fork.
_slot = ClientSlot(build_client, OpenAIConfig.from_settings)


def get_client() -> openai.OpenAI:
    return _slot.get()


def reset_client() -> None:
    """Forget the process-wide client (tests, or after settings change); the next get_client() builds anew.

    The old client is not closed: another thread may still be using it, and its pool's
    connections are released when it is garbage-collected.
    """
    _slot.reset()
