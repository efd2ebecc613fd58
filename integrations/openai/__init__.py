"""The OpenAI client Vicbot uses: no SDK retries, a timeout on every call.

The SDK retries `responses.create` on timeouts and 5xx without an idempotency key,
which can bill one turn twice; so retries are ours (see vicbot.services.runs).
"""

from integrations.openai.client import OpenAIConfig, build_client, get_client, reset_client, warm_client, warm_webhooks
from integrations.openai.errors import OpenAIError, classify
from integrations.openai.ratelimits import RateLimitReading, on_rate_limits

__all__ = [
    "OpenAIConfig", "OpenAIError", "RateLimitReading", "build_client", "classify", "get_client", "on_rate_limits",
    "reset_client", "warm_client", "warm_webhooks",
]
