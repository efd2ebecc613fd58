"""How many runs of one model may be in flight at once: the arithmetic, with no database in it.

A run in flight is a steady stream of requests and tokens: every turn is one create
(whose input and output tokens count against the tokens-per-minute limit) and the
retrieves that find out how it ended. By Little's law, N runs each holding their slot
`seconds_per_turn` per turn (from admission to the run's end, divided by its turns: the
queueing, webhook and task hops count, not only the model's time) make

    requests per minute = N × requests_per_turn × 60 / seconds_per_turn
    tokens per minute   = N × tokens_per_turn   × 60 / seconds_per_turn

so the **in-flight allowance** is the largest N keeping both under a share of OpenAI's
limits, scaled by the throttle factor that 429s lower:

    N = floor(throttle × min(aim × RPM × seconds_per_turn / (60 × requests_per_turn),
                             aim × TPM × seconds_per_turn / (60 × tokens_per_turn)))

at least 1 (one run at a time always makes progress), at most MAX_ALLOWANCE. Before OpenAI
has told us any limits, DEFAULT_ALLOWANCE × throttle.

**Aim** (the share of the limits to use) follows what OpenAI's `x-ratelimit-remaining-*`
headers say is left of the tighter limit, when a recent reading says it: NEAR_LIMIT while
at least LOW_REMAINING of it is left (the budget is there: use it), less in proportion
below that (something else spends it, or we overshot: pull back before the 429s). Where
the remaining count is what the last minute left (a sliding window, as the emulator keeps),
using a share u leaves 1 − u, so the aim settles where u = NEAR_LIMIT × (1 − u) / LOW_REMAINING:
about 90 % of the limit; where it is a bucket that refills (OpenAI's reading), which stays
near full while the rate is under the limit, at NEAR_LIMIT. With no recent reading,
HEADROOM: a fifth of the limits left to retries, the tick's safety polls and anything else
that uses the same key.

**Throttle**: 1 until a 429 `rate_limit_exceeded` (the limits we read are the organisation's,
and something else may share them), then halved — at most once per THROTTLE_SPACING, since
one overload makes every run in flight see a 429 at once — down to THROTTLE_FLOOR. It
recovers by RECOVERY_PER_MINUTE per minute without a 429 (back to 1 from one halving in two
minutes): additive increase, multiplicative decrease, like TCP, which backs off fast and
probes its way back without oscillating. Recovery is computed from `throttled_at` when
asked, so it needs no writes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.retry import RetryPolicy

HEADROOM = 0.8  # the share of the limits aimed at when no recent reading says what is left
NEAR_LIMIT = 0.95  # … when one says the budget is there (a twentieth left to retries and polls)
LOW_REMAINING = 0.1  # below this share of the tighter limit left, aim lower in proportion
DEFAULT_ALLOWANCE = 10  # no reading yet: the old fixed in-flight limit, which every tier allows
MAX_ALLOWANCE = 10_000  # runs waiting that one worker was measured to hold flat (benchmark --waiting)
THROTTLE_FLOOR = 1 / 32
THROTTLE_SPACING = timedelta(seconds=15)
RECOVERY_PER_MINUTE = 0.25

# Before this model has finished runs to learn from: a pitch's turn (instructions, the record,
# tool outputs of up to TOOL_OUTPUT_MAX_CHARS, the conversation so far) and a turn with tools.
FALLBACK_TOKENS_PER_TURN = 10_000
FALLBACK_SECONDS_PER_TURN = 20.0
MIN_SECONDS_PER_TURN = 0.1  # a guard against dividing by a turn measured as instantaneous


@dataclass(frozen=True)
class TurnProfile:
    """What one turn of a run of this model costs, on average."""

    tokens: float
    seconds: float
    requests: float


def allowance(*, requests_per_minute: int | None, tokens_per_minute: int | None, profile: TurnProfile,
              throttle: float = 1.0, left: float | None = None) -> int:
    """The in-flight allowance (see the module's docstring); `left`: remaining_share of a recent reading."""
    if not requests_per_minute or not tokens_per_minute:
        return max(1, math.floor(DEFAULT_ALLOWANCE * throttle))
    seconds = max(profile.seconds, MIN_SECONDS_PER_TURN)
    share = aim(left)
    by_requests = share * requests_per_minute * seconds / (60 * max(profile.requests, 1.0))
    by_tokens = share * tokens_per_minute * seconds / (60 * max(profile.tokens, 1.0))
    return min(max(1, math.floor(min(by_requests, by_tokens) * throttle)), MAX_ALLOWANCE)


def remaining_share(*, requests_per_minute: int | None, tokens_per_minute: int | None,
                    remaining_requests: int | None, remaining_tokens: int | None) -> float | None:
    """The share of the tighter limit a reading says is left (None: it does not say)."""
    if not requests_per_minute or not tokens_per_minute or remaining_requests is None or remaining_tokens is None:
        return None
    return max(0.0, min(remaining_requests / requests_per_minute, remaining_tokens / tokens_per_minute, 1.0))


def aim(left: float | None) -> float:
    """The share of the limits to use, given the share a recent reading says is left (see the docstring)."""
    if left is None:
        return HEADROOM
    return NEAR_LIMIT * min(1.0, max(left, 0.0) / LOW_REMAINING)


def requests_per_turn(*, model_seconds: float, webhooks: bool, polls: RetryPolicy) -> float:
    """One create, then: with webhooks, the one retrieve the webhook triggers; without, the
    polls (at the engine's poll policy) that it takes to see a turn of `model_seconds` end."""
    if webhooks:
        return 2.0
    waited, count = 0.0, 0
    while waited < model_seconds and count < 1_000:
        count += 1
        waited += polls.delay(count)
    return 1.0 + max(count, 1)


def throttle_now(factor: float, throttled_at: datetime | None, now: datetime) -> float:
    """The throttle factor at `now`, having recovered since the last 429 at `throttled_at`."""
    if throttled_at is None:
        return min(factor, 1.0)
    minutes = max((now - throttled_at).total_seconds(), 0.0) / 60
    return min(1.0, factor + RECOVERY_PER_MINUTE * minutes)


def throttle_after_rate_limit(current: float) -> float:
    return max(current / 2, THROTTLE_FLOOR)
