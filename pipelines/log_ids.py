"""What the pipeline's tasks name in every log line: the pitch (its own tasks, and every task of a
pitch's run, through the run's metadata) and the pipeline."""

from __future__ import annotations

from config.enqueue import Task
from config.log_context import register_task_ids
from vicbot.runs import log_metadata_key

# Where a pitch's run keeps its pitch (set by admission when it starts the run).
PITCH_METADATA_KEY = "pitch"


def register_log_ids() -> None:
    log_metadata_key(PITCH_METADATA_KEY)
    register_task_ids(Task.PITCH_EVALUATE_AGAIN, lambda args: {"pitch": args[0]})
    register_task_ids(Task.DECK_READ, lambda args: {"deck": args[0]})
    for task in (Task.PULL_PITCHES, Task.PITCHES_ADMIT, Task.WRITEBACK_FLUSH):
        register_task_ids(task, lambda args: {"pipeline": args[0]})
