"""Tokens and cost of a run, from each response's `usage`."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F

from vicbot.models import Assistant, ModelPrice, Run, ToolCall

MILLION = Decimal(1_000_000)


def usage_increments(usage) -> dict:
    """F() increments for the run's token counters (atomic under concurrent updates)."""
    if usage is None:
        return {}
    cached = getattr(usage.input_tokens_details, "cached_tokens", 0) or 0
    reasoning = getattr(usage.output_tokens_details, "reasoning_tokens", 0) or 0
    return {
        "input_tokens": F("input_tokens") + (usage.input_tokens or 0),
        "cached_input_tokens": F("cached_input_tokens") + cached,
        "output_tokens": F("output_tokens") + (usage.output_tokens or 0),
        "reasoning_tokens": F("reasoning_tokens") + reasoning,
    }


def price_for(model: str) -> ModelPrice | None:
    """The exact row for `model`, else the longest row that is a prefix of it."""
    candidates = [p for p in ModelPrice.objects.all() if model == p.model or model.startswith(p.model)]
    return max(candidates, key=lambda p: len(p.model), default=None)


def run_cost(run: Run) -> Decimal | None:
    price = price_for(run.model)
    if price is None:
        return None
    return tokens_cost(price, input_tokens=run.input_tokens, cached_input_tokens=run.cached_input_tokens,
                       output_tokens=run.output_tokens,
                       flex=run.assistant.service_tier == Assistant.ServiceTier.FLEX)


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
    run = Run.objects.select_related("assistant").get(pk=run_id)
    calls = ToolCall.objects.filter(run_id=run_id).order_by("id")
    tool_usage = tool_usage_total(calls.values_list("usage", flat=True))
    systemic = next((error for error, is_systemic in calls.values_list("error", "systemic_error") if is_systemic), "")
    Run.objects.filter(pk=run_id).update(cost_usd=run_cost(run), tool_usage=tool_usage, tool_systemic_error=systemic,
                                         tool_usage_unknown=calls.filter(usage_unknown=True).exists())


def tool_usage_total(usages) -> dict[str, int]:
    """The sum, unit by unit, of tool calls' own usage: each call records only what it spent."""
    total: dict[str, int] = {}
    for usage in usages:
        for unit, amount in (usage or {}).items():
            total[unit] = total.get(unit, 0) + amount
    return total
