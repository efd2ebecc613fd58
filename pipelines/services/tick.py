"""Beat's tick for the pipelines: work whose time has come, and the safety net for lost messages."""

from config.enqueue import enqueue_pitches_admit
from pipelines.selectors import pipelines_with_work_due
from pipelines.services.notifications import worker_silence_check
from pipelines.services.writeback import writebacks_due


def pipelines_tick() -> None:
    # Write-back retries that are due, and claims a dead worker left behind.
    writebacks_due()
    worker_silence_check()
    # Pitches waiting for a run (held back by the backlog, or a retry now due), and paused
    # pipelines whose probe (or new day) has come.
    for pipeline_id in pipelines_with_work_due():
        enqueue_pitches_admit(pipeline_id, after_commit=False)
