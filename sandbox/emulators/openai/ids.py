"""Identifier formats used by the OpenAI API (``resp_``, ``msg_``, ``call_``, …)."""

from __future__ import annotations

import hashlib
import secrets
import string

_BASE62 = string.digits + string.ascii_letters


def new_id(prefix: str) -> str:
    """A random object id shaped like OpenAI's: ``resp_`` + 48 hex digits."""
    return f"{prefix}_{secrets.token_hex(24)}"


def event_id() -> str:
    return f"evt_{secrets.token_hex(16)}"


def webhook_id() -> str:
    return f"wh_{secrets.token_hex(16)}"


def request_id() -> str:
    return f"req_{secrets.token_hex(16)}"


def call_id(seed: str) -> str:
    """A ``call_`` id derived from ``seed``, so scripted runs are reproducible."""
    number = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    chars = []
    for _ in range(24):
        number, digit = divmod(number, 62)
        chars.append(_BASE62[digit])
    return "call_" + "".join(chars)
