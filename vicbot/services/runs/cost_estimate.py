"""What a run is expected to cost, known when it starts: the reservation a spend cap counts.

A run's actual cost is priced only when it ends, so a cap that counted only ended runs let
every run started meanwhile through (a $0.01 cap ended at $0.0228). Each run therefore
reserves a robust figure from recent runs like it — the 90th percentile, so a few cheap
runs do not make the next expensive one look free — until its actual cost replaces it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings

from vicbot.models import TERMINAL_STATUSES, Assistant, Run

RECENT_RUNS = 50  # enough for a stable percentile; recent enough to follow a price or prompt change
PERCENTILE = 90


def expected_cost(recent_costs: Sequence[Decimal], *, percentile: int = PERCENTILE) -> Decimal | None:
    """The nearest-rank `percentile` of `recent_costs` (None when there is none)."""
    if not recent_costs:
        return None
    ordered = sorted(recent_costs)
    rank = max(math.ceil(percentile / 100 * len(ordered)), 1)
    return ordered[rank - 1]


def run_cost_estimate(version: Assistant | None) -> Decimal:
    """Recent priced runs of this assistant version; else of the assistant (any version); else the setting."""
    if version is not None:
        priced = (Run.objects.filter(status__in=TERMINAL_STATUSES, cost_usd__isnull=False)
                  .order_by("-finished_at"))
        versions = Assistant.objects.filter(name=version.name).values("pk")
        for runs in (priced.filter(assistant=version), priced.filter(assistant__in=versions)):
            estimate = expected_cost(list(runs.values_list("cost_usd", flat=True)[:RECENT_RUNS]))
            if estimate is not None:
                return estimate
    return settings.VICBOT_RUN_COST_ESTIMATE_USD


def assistant_run_cost_estimate(assistant: str) -> Decimal:
    """The same, for the version new runs of `assistant` would use (the setting if there is no such one)."""
    try:
        return run_cost_estimate(Assistant.objects.current(assistant))
    except Assistant.DoesNotExist:
        return run_cost_estimate(None)
