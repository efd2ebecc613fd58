"""The benchmark's figures from what was counted, and the one table it prints (pure functions)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    """The work of one pitch as the emulators are set up: what no pipeline can make faster."""

    model_latency: float  # seconds a model turn runs
    queued_latency: float  # seconds a model turn waits in OpenAI's queue first
    turns: int
    tools_per_turn: int
    tool_latency: float

    def intrinsic_seconds(self) -> float:
        """The emulator latencies on one pitch's critical path: every turn, plus one tool
        latency per turn that calls tools (a turn's tool calls run side by side)."""
        tool_turns = self.turns - 1 if self.tools_per_turn else 0
        return self.turns * (self.queued_latency + self.model_latency) + tool_turns * self.tool_latency


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def openai_counts(requests: Sequence[tuple[str, str]]) -> Counter[str]:
    """(method, path) of every request the OpenAI emulator received → creates, retrieves, cancels."""
    counts: Counter[str] = Counter()
    for method, path in requests:
        path = path.split("?", 1)[0].rstrip("/")
        if method == "POST" and path.endswith("/v1/responses"):
            counts["creates"] += 1
        elif method == "POST" and path.endswith("/cancel"):
            counts["cancels"] += 1
        elif method == "GET" and "/v1/responses/" in path:
            counts["retrieves"] += 1
        elif method == "POST" and path.endswith("/v1/files"):
            counts["uploads"] += 1
    return counts


def compute(*, shape: Shape, pitches: int, end_to_end: Sequence[float], latency: Sequence[float], in_flight: int | str,
            failed: int, wall_seconds: float,
            turns: int, openai: Counter[str], salesforce_pipeline_calls: int, salesforce_all_calls: int,
            probe: Counter[str], worker_peak_rss: int, worker_idle_rss: int, redis_peak: int | None,
            deck_downloads: int = 0) -> dict:
    """`end_to_end`: each pitch from the first intake to its write-back (what a burst waits in all);
    `latency`: from its admission (its first run created) to its write-back, the headline: beyond the
    in-flight limit a pitch waits for a free slot, which is capacity, not overhead."""
    intrinsic = shape.intrinsic_seconds()
    p50, p95 = percentile(latency, 0.5), percentile(latency, 0.95)
    per_turn = max(turns, 1)
    per_pitch = max(pitches, 1)
    tasks = probe.get("tasks", 0)
    return {
        "pitches": pitches,
        "written_back": len(end_to_end),
        "failed": failed,
        "wall_seconds": round(wall_seconds, 2),
        "evaluations_per_minute": round(60 * len(end_to_end) / wall_seconds, 1) if wall_seconds > 0 else None,
        "intrinsic_seconds": round(intrinsic, 2),
        "in_flight_limit": in_flight,
        "end_to_end_p50_seconds": round(percentile(end_to_end, 0.5), 2),
        "end_to_end_p95_seconds": round(percentile(end_to_end, 0.95), 2),
        "latency_p50_seconds": round(p50, 2),
        "latency_p95_seconds": round(p95, 2),
        "ratio_p50": round(p50 / intrinsic, 2) if intrinsic else None,
        "ratio_p95": round(p95 / intrinsic, 2) if intrinsic else None,
        "overhead_p95_seconds": round(p95 - intrinsic, 2),
        "turns": turns,
        "openai_creates_per_turn": round(openai.get("creates", 0) / per_turn, 2),
        "openai_retrieves_per_turn": round(openai.get("retrieves", 0) / per_turn, 2),
        "openai_cancels_per_turn": round(openai.get("cancels", 0) / per_turn, 2),
        "salesforce_calls_per_100_pitches": round(100 * salesforce_pipeline_calls / per_pitch, 1),
        "salesforce_tool_calls": salesforce_all_calls - salesforce_pipeline_calls,
        "salesforce_calls_per_pitch": round(salesforce_pipeline_calls / per_pitch, 2),
        "deck_downloads_per_pitch": round(deck_downloads / per_pitch, 2),
        "openai_uploads_per_pitch": round(openai.get("uploads", 0) / per_pitch, 2),
        "celery_tasks_per_pitch": round(tasks / per_pitch, 1),
        "sql_statements_per_pitch": round(probe.get("sql", 0) / per_pitch, 1),
        "db_connections_per_task": round(probe.get("connections", 0) / tasks, 2) if tasks else None,
        "tasks_by_name": {name.removeprefix("task:"): count for name, count in sorted(probe.items())
                          if name.startswith("task:")},
        "worker_idle_rss_mb": round(worker_idle_rss / 2**20, 1),
        "worker_peak_rss_mb": round(worker_peak_rss / 2**20, 1),
        "redis_peak_mb": round(redis_peak / 2**20, 1) if redis_peak is not None else None,
    }


def compute_waiting(*, waiting: int, admitted_in: float, worker_idle_rss: int, worker_waiting_rss: float,
                    worker_peak_rss: int, redis_peak: int | None) -> dict:
    """The memory figures of a pass whose runs all wait on a model slower than the pass (--waiting)."""
    return {
        "runs_waiting": waiting,
        "admitted_in_seconds": round(admitted_in, 1),
        "worker_idle_rss_mb": round(worker_idle_rss / 2**20, 1),
        "worker_waiting_rss_mb": round(worker_waiting_rss / 2**20, 1),
        "worker_peak_rss_mb": round(worker_peak_rss / 2**20, 1),
        "redis_peak_mb": round(redis_peak / 2**20, 1) if redis_peak is not None else None,
    }


def _redis(f: dict) -> str:
    return "-" if f["redis_peak_mb"] is None else f"{f['redis_peak_mb']} MB"


ROWS = (
    ("Pitches written back / failed", lambda f: f"{f['written_back']} / {f['failed']} of {f['pitches']}"),
    ("Evaluations per minute (first intake to last write-back)",
     lambda f: f"{f['evaluations_per_minute']} ({f['wall_seconds']:.1f} s)"),
    ("Admitted to written p50 / p95 vs intrinsic (HEADLINE)",
     lambda f: f"{f['latency_p50_seconds']:.2f} / {f['latency_p95_seconds']:.2f} s vs "
               f"{f['intrinsic_seconds']:.2f} s = {f['ratio_p50']}x / {f['ratio_p95']}x"),
    ("First intake to written p50 / p95 (in-flight limit)",
     lambda f: f"{f['end_to_end_p50_seconds']:.2f} / {f['end_to_end_p95_seconds']:.2f} s ({f['in_flight_limit']})"),
    ("OpenAI creates / retrieves / cancels per turn",
     lambda f: f"{f['openai_creates_per_turn']} / {f['openai_retrieves_per_turn']} / "
               f"{f['openai_cancels_per_turn']} ({f['turns']} turns)"),
    ("Salesforce calls per 100 pitches (intake + write-back)",
     lambda f: f"{f['salesforce_calls_per_100_pitches']} (+{f['salesforce_tool_calls']} by tools)"),
    ("Per pitch: Salesforce calls (pipeline) / deck downloads / OpenAI uploads",
     lambda f: f"{f['salesforce_calls_per_pitch']} / {f['deck_downloads_per_pitch']} / {f['openai_uploads_per_pitch']}"),
    ("Celery tasks per pitch", lambda f: f"{f['celery_tasks_per_pitch']}"),
    ("SQL statements per pitch (worker)",
     lambda f: f"{f['sql_statements_per_pitch']} ({f['db_connections_per_task']} new connections per task)"),
    ("Worker RSS, whole tree: idle / peak", lambda f: f"{f['worker_idle_rss_mb']} / {f['worker_peak_rss_mb']} MB"),
    ("Redis used memory, peak (whole server)", _redis),
)

WAITING_ROWS = (
    ("Runs waiting on the model (all admitted in)", lambda f: f"{f['runs_waiting']} ({f['admitted_in_seconds']} s)"),
    ("Worker RSS, whole tree: idle / all waiting (median of 10 s)",
     lambda f: f"{f['worker_idle_rss_mb']} / {f['worker_waiting_rss_mb']} MB"),
    ("Worker RSS, whole tree: peak while admitting", lambda f: f"{f['worker_peak_rss_mb']} MB"),
    ("Redis used memory, peak (whole server)", _redis),
)


def table(figures: dict, *, title: str, rows=ROWS) -> list[str]:
    rows = [(label, render(figures)) for label, render in rows]
    width = max(len(label) for label, _ in rows)
    lines = [title, "-" * (width + 2 + max(len(value) for _, value in rows))]
    lines += [f"{label.ljust(width)}  {value}" for label, value in rows]
    return lines
