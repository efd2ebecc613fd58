"""Counters inside the benchmark's worker: tasks run, SQL statements, database connections.

Imported through VICBOT_EXTRA_HANDLER_MODULES, and active only when VICBOT_BENCHMARK_PROBE_DIR
is set (the benchmark and chaos commands set it; nothing else does). Each process that runs
tasks keeps its own totals in <dir>/<pid>.json, rewritten after every task.
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from pathlib import Path

from celery import signals
from django.db.backends.signals import connection_created

PROBE_DIR = os.environ.get("VICBOT_BENCHMARK_PROBE_DIR", "")
_counts: Counter[str] = Counter()
_lock = threading.Lock()  # thread pools run tasks side by side
_write_pending = False
WRITE_EVERY = 0.2  # seconds; the command reads the files 0.5 s after the last pitch is done


def _count_sql(execute, sql, params, many, context):
    with _lock:
        _counts["sql"] += 1
    return execute(sql, params, many, context)


def _on_connection(sender, connection, **kwargs):
    with _lock:
        _counts["connections"] += 1
    # The wrapper list belongs to the (long-lived) DatabaseWrapper, not to one connection.
    if _count_sql not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count_sql)


def _on_task_start(sender=None, task=None, **kwargs):
    with _lock:
        _counts["tasks"] += 1
        _counts[f"task:{task.name}"] += 1


def _on_task_end(**kwargs):
    """Rewrite the totals at most every WRITE_EVERY seconds, and once more after the last task: a
    file write after every task was ~5 % of the worker's sampled time, inflating what is measured."""
    global _write_pending
    with _lock:
        if _write_pending:
            return
        _write_pending = True
    threading.Timer(WRITE_EVERY, _write).start()


def _write():
    global _write_pending
    with _lock:
        _write_pending = False
        snapshot = dict(_counts)
    path = Path(PROBE_DIR) / f"{os.getpid()}.json"
    temporary = path.with_suffix(f".{threading.get_ident()}.tmp")
    temporary.write_text(json.dumps(snapshot))
    os.replace(temporary, path)


def read_totals(directory: Path) -> Counter[str]:
    """The sum over every process that ran tasks (for the command, after the run), in every worker's directory."""
    totals: Counter[str] = Counter()
    for path in Path(directory).glob("**/*.json"):
        try:
            totals.update(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue
    return totals


def totals_by_directory(directory: Path) -> dict[str, int]:
    """Tasks run by each worker: the benchmark gives each its own directory under `directory`."""
    return {sub.name: read_totals(sub).get("tasks", 0) for sub in sorted(Path(directory).iterdir()) if sub.is_dir()}


if PROBE_DIR:
    connection_created.connect(_on_connection, weak=False)
    signals.task_prerun.connect(_on_task_start, weak=False)
    signals.task_postrun.connect(_on_task_end, weak=False)
