"""Token accounting and prompt caching, approximated the way OpenAI reports them.

* Tokens ≈ characters / 4.
* Input = the stable prefix (instructions, tools, output format) + everything
  earlier in the ``previous_response_id`` chain + this turn's input.
* Caching: a prompt prefix of ≥ 1,024 tokens seen before (under the same
  ``prompt_cache_key``) is served from cache, in 128-token steps. A chained turn
  can hit the whole previous prompt, as on the real API.
* Reasoning tokens are billed as output tokens.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import items
from .model import Turn

CACHE_MIN_TOKENS = 1024
CACHE_STEP = 128


def count_tokens(text: str) -> int:
    return (len(text) + 3) // 4


@dataclass(frozen=True)
class Prompt:
    """What the model read on one turn, reduced to what caching needs."""

    cache_key: str
    prefix_digest: str
    prefix_tokens: int
    digest: str  # of the whole prompt: a later turn in the chain starts with it
    tokens: int


def prompt_of(request: Mapping[str, Any], chain: Sequence[Turn]) -> Prompt:
    text_config = request.get("text") or {}
    prefix = "".join(
        (
            str(request.get("instructions") or ""),
            _canonical(request.get("tools") or []),
            _canonical(text_config.get("format") or {}),
        )
    )
    history = "".join(
        items.items_text(items.input_items(turn.request.get("input"))) + items.items_text(turn.output)
        for turn in chain
    )
    current = items.items_text(items.input_items(request.get("input")))
    key = str(request.get("prompt_cache_key") or "")
    return Prompt(
        cache_key=key,
        prefix_digest=_digest(prefix),
        prefix_tokens=count_tokens(prefix),
        digest=_digest(prefix + history + current),
        tokens=count_tokens(prefix) + count_tokens(history + current),
    )


class PromptCache:
    """Which prompt prefixes have been seen, per ``prompt_cache_key``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str], int] = {}

    def read_and_write(self, prompt: Prompt, previous: Prompt | None) -> tuple[int, int]:
        """Returns (cached_tokens, cache_write_tokens) and records this prompt."""
        candidates = [(prompt.prefix_digest, prompt.prefix_tokens), (prompt.digest, prompt.tokens)]
        if previous is not None:
            candidates.append((previous.digest, previous.tokens))
        with self._lock:
            hits = [tokens for digest, tokens in candidates if (prompt.cache_key, digest) in self._seen]
            cached = _cacheable(max(hits, default=0))
            self._seen[(prompt.cache_key, prompt.prefix_digest)] = prompt.prefix_tokens
            self._seen[(prompt.cache_key, prompt.digest)] = prompt.tokens
        written = max(_cacheable(prompt.tokens) - cached, 0)
        return cached, written


def output_tokens_of(output: Sequence[Mapping[str, Any]], reasoning_tokens: int) -> int:
    return count_tokens(items.items_text(output)) + reasoning_tokens


def usage(
    prompt: Prompt, cached: int, written: int, output: Sequence[Mapping[str, Any]], reasoning_tokens: int
) -> dict[str, Any]:
    output_tokens = output_tokens_of(output, reasoning_tokens)
    return {
        "input_tokens": prompt.tokens,
        "input_tokens_details": {"cached_tokens": cached, "cache_write_tokens": written},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
        "total_tokens": prompt.tokens + output_tokens,
    }


def _cacheable(tokens: int) -> int:
    return tokens - tokens % CACHE_STEP if tokens >= CACHE_MIN_TOKENS else 0


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
