"""The benchmark's figures from what was counted, and the one table it prints (pure functions)."""

from __future__ import annotations

import math
import os
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


def rate_limit_bound_seconds(*, tokens: int, requests: int, tokens_per_minute: int, requests_per_minute: int,
                             intrinsic_seconds: float) -> float:
    """The shortest the pass could take at OpenAI's limits: the tokens (or requests, whichever binds) it used,
    at the rate the limits allow, plus one pitch's own time (the last one cannot finish before it runs)."""
    minutes = max(tokens / max(tokens_per_minute, 1), requests / max(requests_per_minute, 1))
    return 60 * minutes + intrinsic_seconds


def compute_scale(*, pitches: int, wall_seconds: float, intrinsic_seconds: float, cpu: dict[str, float],
                  database_cpu: float | None, peak_rss_by_worker: dict[int, int],
                  in_flight: Sequence[tuple[int, int | None]], tokens: int, requests: int, tokens_per_minute: int,
                  requests_per_minute: int, tasks_by_worker: dict[str, int],
                  database_connections_peak: int | None = None, redis_clients_peak: int | None = None) -> dict:
    """What bounds a pass: CPU per pitch of each kind of process, runs in flight against the allowance, and
    the rate-limit bound with the wall time as a multiple of it."""
    per_pitch = max(pitches, 1)
    worker_cpu = sum(seconds for name, seconds in cpu.items() if name.startswith("worker-"))
    bound = rate_limit_bound_seconds(tokens=tokens, requests=requests, tokens_per_minute=tokens_per_minute,
                                     requests_per_minute=requests_per_minute, intrinsic_seconds=intrinsic_seconds)
    evaluating = [count for count, _ in in_flight]
    allowances = [allowance for _, allowance in in_flight if allowance is not None]
    return {
        "workers": len([name for name in cpu if name.startswith("worker-")]),
        "worker_cpu_seconds": {name: seconds for name, seconds in cpu.items() if name.startswith("worker-")},
        "worker_cpu_per_pitch": round(worker_cpu / per_pitch, 3),
        "web_cpu_per_pitch": round(cpu.get("web", 0.0) / per_pitch, 3),
        "beat_cpu_per_pitch": round(cpu.get("beat", 0.0) / per_pitch, 3),
        "database_cpu_per_pitch": round(database_cpu / per_pitch, 3) if database_cpu is not None else None,
        "emulators_cpu_per_pitch": round(cpu.get("emulators", 0.0) / per_pitch, 3),
        "machine_cores_busy": round(cpu.get("machine", 0.0) / wall_seconds, 2) if wall_seconds > 0 else None,
        "machine_cores": os.cpu_count(),
        "worker_peak_rss_mb_each": [round(peak_rss_by_worker[index] / 2**20, 1) for index in sorted(peak_rss_by_worker)],
        "in_flight_mean": round(sum(evaluating) / len(evaluating), 1) if evaluating else None,
        "in_flight_max": max(evaluating) if evaluating else None,
        "allowance_mean": round(sum(allowances) / len(allowances), 1) if allowances else None,
        "allowance_max": max(allowances) if allowances else None,
        "tokens_used": tokens,
        "openai_requests": requests,
        "rate_limit_bound_seconds": round(bound, 1),
        "wall_over_bound": round(wall_seconds / bound, 2) if bound else None,
        "tasks_by_worker": tasks_by_worker,
        "database_connections_peak": database_connections_peak,
        "redis_clients_peak": redis_clients_peak,
    }


def compute_new_during_backlog(*, intrinsic_seconds: float, arrived: int, from_intake: Sequence[float],
                                from_admission: Sequence[float]) -> dict:
    """The pitches that arrived while a backlog ran: their time against one pitch's own (their usual)."""
    p50, p95 = percentile(from_intake, 0.5), percentile(from_intake, 0.95)
    return {
        "new_arrived": arrived,
        "new_written": len(from_intake),
        "new_intake_p50_seconds": round(p50, 2),
        "new_intake_p95_seconds": round(p95, 2),
        "new_admission_p50_seconds": round(percentile(from_admission, 0.5), 2),
        "new_admission_p95_seconds": round(percentile(from_admission, 0.95), 2),
        "new_ratio_p50": round(p50 / intrinsic_seconds, 2) if intrinsic_seconds else None,
        "new_ratio_p95": round(p95 / intrinsic_seconds, 2) if intrinsic_seconds else None,
    }


BACKLOG_ROWS = (
    ("New pitches arriving during the backlog: written / arrived",
     lambda f: f"{f['new_written']} / {f['new_arrived']}"),
    ("New pitches, intake to written p50 / p95 vs intrinsic",
     lambda f: f"{f['new_intake_p50_seconds']:.2f} / {f['new_intake_p95_seconds']:.2f} s = "
               f"{f['new_ratio_p50']}x / {f['new_ratio_p95']}x"),
    ("New pitches, admitted to written p50 / p95",
     lambda f: f"{f['new_admission_p50_seconds']:.2f} / {f['new_admission_p95_seconds']:.2f} s"),
)


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


def cpu_cap_row(f: dict) -> str:
    if not f.get("worker_cpu_cap"):
        return "none (the workers share the machine's cores with everything else)"
    throttled = " / ".join("-" if share is None else f"{share:.0%}" for share in f["worker_cpu_throttled"])
    return f"{f['worker_cpu_cap']:g} core ({throttled})"


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

SCALE_ROWS = (
    ("Worker processes (tasks each)",
     lambda f: f"{f['workers']} ({', '.join(str(n) for n in f['tasks_by_worker'].values())})"),
    ("Rate-limit bound (tokens or requests / limit + one pitch); wall ÷ bound",
     lambda f: f"{f['rate_limit_bound_seconds']} s ({f['tokens_used']} tokens, {f['openai_requests']} requests); "
               f"{f['wall_over_bound']}x"),
    ("Runs in flight mean / max vs allowance mean / max",
     lambda f: f"{f['in_flight_mean']} / {f['in_flight_max']} vs {f['allowance_mean']} / {f['allowance_max']}"),
    ("CPU s per pitch: workers (with children) / web / beat / database",
     lambda f: f"{f['worker_cpu_per_pitch']} / {f['web_cpu_per_pitch']} / {f['beat_cpu_per_pitch']} / "
               f"{'-' if f['database_cpu_per_pitch'] is None else f['database_cpu_per_pitch']}"),
    ("Machine: cores busy, all processes (of its cores); the emulators' CPU s per pitch",
     lambda f: f"{f['machine_cores_busy']} (of {f['machine_cores']}); {f['emulators_cpu_per_pitch']}"),
    ("Worker CPU cap, each (share of its periods throttled)", cpu_cap_row),
    ("Worker RSS peak, each worker's whole tree", lambda f: " / ".join(f"{mb} MB" for mb in f["worker_peak_rss_mb_each"])),
    ("Connections, peak: PostgreSQL (this database) / Redis (this db)",
     lambda f: f"{'-' if f['database_connections_peak'] is None else f['database_connections_peak']} / "
               f"{'-' if f['redis_clients_peak'] is None else f['redis_clients_peak']}"),
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
