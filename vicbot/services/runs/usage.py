"""Tokens and cost of a run, from each response's `usage`."""

from __future__ import annotations

import time
from decimal import Decimal

from django.db.models import F

from vicbot.models import Assistant, ModelPrice, Run, ToolCall

MILLION = Decimal(1_000_000)


FLEX = Assistant.ServiceTier.FLEX


def usage_increments(usage, *, tier: str | None = None) -> dict:
    """F() increments for the run's token counters (atomic under concurrent updates).

    `tier`: the service_tier the response reports; a flex response's tokens are also counted apart,
    as they are billed at the flex rate (OpenAI may serve a flex request at another tier, and says so).
    """
    if usage is None:
        return {}
    cached = getattr(usage.input_tokens_details, "cached_tokens", 0) or 0
    reasoning = getattr(usage.output_tokens_details, "reasoning_tokens", 0) or 0
    increments = {
        "input_tokens": F("input_tokens") + (usage.input_tokens or 0),
        "cached_input_tokens": F("cached_input_tokens") + cached,
        "output_tokens": F("output_tokens") + (usage.output_tokens or 0),
        "reasoning_tokens": F("reasoning_tokens") + reasoning,
    }
    if tier == FLEX:
        increments.update({
            "flex_input_tokens": F("flex_input_tokens") + (usage.input_tokens or 0),
            "flex_cached_input_tokens": F("flex_cached_input_tokens") + cached,
            "flex_output_tokens": F("flex_output_tokens") + (usage.output_tokens or 0),
        })
    return increments


def response_increments(run: Run, response) -> dict:
    """usage_increments of a response, at the tier it reports, and its entry added to the run's turn_usage.

    `run` as the caller read it: the move these fields go into is a compare-and-set on the response
    (its from-status and response_id), so if another process recorded this response first the where
    fails and nothing is written, and no other entry can have been added since the read (a new one
    needs a new response). The list is written whole in the same UPDATE: no extra query per turn,
    and portable (SQLite has no jsonb append).
    """
    if response is None or response.usage is None:
        return {}
    tier = getattr(response, "service_tier", None)
    fields = usage_increments(response.usage, tier=tier)
    if run.turn_usage is not None:  # null: a run from before turns were recorded; not started anew
        fields["turn_usage"] = [*run.turn_usage, turn_entry(run.turn, response, tier=tier)]
    return fields


def turn_entry(turn: int, response, *, tier: str | None) -> dict:
    """One response's usage and times: when OpenAI created it and when it ended (as OpenAI reports it
    when it does; a failed or cancelled response may not say, so then when the worker read its end)."""
    usage = response.usage
    completed = getattr(response, "completed_at", None)
    return {
        "turn": turn,
        "response_id": response.id,
        "input_tokens": usage.input_tokens or 0,
        "cached_input_tokens": getattr(usage.input_tokens_details, "cached_tokens", 0) or 0,
        "output_tokens": usage.output_tokens or 0,
        "reasoning_tokens": getattr(usage.output_tokens_details, "reasoning_tokens", 0) or 0,
        "tier": tier or "",
        "created_at": response.created_at,
        "ended_at": completed if completed else round(time.time(), 3),
    }


def turn_cost(price: ModelPrice | None, entry: dict) -> Decimal | None:
    """One turn's cost at `price`, at the tier its response reported (as run_cost prices the run's sums)."""
    if price is None:
        return None
    return tokens_cost(price, input_tokens=entry.get("input_tokens", 0),
                       cached_input_tokens=entry.get("cached_input_tokens", 0),
                       output_tokens=entry.get("output_tokens", 0), flex=entry.get("tier") == FLEX)


def price_for(model: str) -> ModelPrice | None:
    """The exact row for `model`, else the longest row that is a prefix of it."""
    candidates = [p for p in ModelPrice.objects.all() if model == p.model or model.startswith(p.model)]
    return max(candidates, key=lambda p: len(p.model), default=None)


def run_cost(run: Run) -> Decimal | None:
    """Standard-tier tokens at the standard price, flex-served ones (as the responses reported) at flex."""
    price = price_for(run.model)
    if price is None:
        return None
    standard = tokens_cost(price, input_tokens=run.input_tokens - run.flex_input_tokens,
                           cached_input_tokens=run.cached_input_tokens - run.flex_cached_input_tokens,
                           output_tokens=run.output_tokens - run.flex_output_tokens)
    flex = tokens_cost(price, input_tokens=run.flex_input_tokens, cached_input_tokens=run.flex_cached_input_tokens,
                       output_tokens=run.flex_output_tokens, flex=True)
    return standard + flex


def tokens_cost(price: ModelPrice, *, input_tokens: int, cached_input_tokens: int, output_tokens: int,
                flex: bool = False) -> Decimal:
    """USD at `price` (per million tokens), to the micro-dollar."""
    uncached = input_tokens - cached_input_tokens
    # Reasoning tokens are billed as output and already counted in output_tokens.
    cost = (
        uncached * price.input_per_million
        + cached_input_tokens * price.cached_input_per_million
        + output_tokens * price.output_per_million
    ) / MILLION
    if flex:
        cost *= price.flex_multiplier
    return cost.quantize(Decimal("0.000001"))


def run_record_cost(run_id: int) -> None:
    """The run's token cost, its tools' metered usage and their first systemic failure, recorded when it ends."""
    run = Run.objects.get(pk=run_id)
    calls = list(ToolCall.objects.filter(run_id=run_id).order_by("id").values_list(
        "usage", "error", "systemic_error", "usage_unknown"))  # one read for all three
    tool_usage = tool_usage_total(usage for usage, *_ in calls)
    systemic = next((error for _, error, is_systemic, _ in calls if is_systemic), "")
    Run.objects.filter(pk=run_id).update(cost_usd=run_cost(run), tool_usage=tool_usage, tool_systemic_error=systemic,
                                         tool_usage_unknown=any(unknown for *_, unknown in calls))


def tool_usage_total(usages) -> dict[str, int]:
    """The sum, unit by unit, of tool calls' own usage: each call records only what it spent."""
    total: dict[str, int] = {}
    for usage in usages:
        for unit, amount in (usage or {}).items():
            total[unit] = total.get(unit, 0) + amount
    return total
