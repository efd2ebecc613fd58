"""The OpenAI client Vicbot uses: no SDK retries, a timeout on every call, limits read on every reply.

The SDK retries `responses.create` on timeouts and 5xx without an idempotency key,
which can bill one turn twice; so retries are ours (see vicbot.services.runs).
Every reply's `x-ratelimit-*` headers go to the listeners of `ratelimits.on_rate_limits`.
"""

from __future__ import annotations

import logging
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


# A reply as `responses.create` and `retrieve` return it, with every kind of part Vicbot's turns have
# (reasoning, a function call, a message with text, a function tool, a JSON schema format, usage).
_SAMPLE_RESPONSE = {
    "id": "resp_warm", "object": "response", "created_at": 0, "status": "completed", "background": True,
    "error": None, "incomplete_details": None, "instructions": None, "model": "warm", "metadata": {},
    "output": [
        {"type": "reasoning", "id": "rs_warm", "summary": []},
        {"type": "function_call", "id": "fc_warm", "call_id": "call_warm", "name": "f", "arguments": "{}",
         "status": "completed"},
        {"type": "message", "id": "msg_warm", "role": "assistant", "status": "completed",
         "content": [{"type": "output_text", "text": "{}", "annotations": [], "logprobs": []}]},
    ],
    "parallel_tool_calls": True, "tool_choice": "auto", "service_tier": "default",
    "reasoning": {"effort": "medium", "summary": None},
    "text": {"format": {"type": "json_schema", "name": "warm", "schema": {"type": "object"}, "strict": True}},
    "tools": [{"type": "function", "name": "f", "description": "", "strict": True,
               "parameters": {"type": "object", "properties": {}}}],
    "usage": {"input_tokens": 1, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 1,
              "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 2},
}


def warm_client() -> None:
    """Build the client and everything its first turn would otherwise build on the clock: the
    responses resource (imported lazily) and the SDK's models of a reply, whose pydantic schemas
    are built on first use (~0.4 s of CPU: the first create of a fresh worker took 0.4–0.8 s, a
    tenth of one pitch alone). No request is made."""
    from openai.types.responses import Response

    get_client().responses  # noqa: B018 - the attribute builds the resource
    Response.construct(**_SAMPLE_RESPONSE)  # how the SDK reads a reply: each part's model built once


def warm_webhooks() -> None:
    """Build the client and its webhooks resource (imported lazily) before the first webhook
    needs them to verify a signature: ~0.15 s of the web process's first webhook otherwise."""
    try:
        get_client().webhooks  # noqa: B018 - the attribute builds the resource
    except Exception:  # noqa: BLE001 - a web process without OpenAI settings still serves; the webhook says why
        logging.getLogger(__name__).warning("OpenAI webhooks warm-up skipped", exc_info=True)


def get_client() -> openai.OpenAI:
    return _slot.get()


def reset_client() -> None:
    """Forget the process-wide client (tests, or after settings change); the next get_client() builds anew.

    The old client is not closed: another thread may still be using it, and its pool's
    connections are released when it is garbage-collected.
    """
    _slot.reset()
