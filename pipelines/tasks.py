"""Celery tasks: thin. Each takes ids, loads rows and calls one service.

Tasks are idempotent (the services compare-and-set), so acks_late redelivery
and the tick's safety-net re-sends are harmless. None of them retries itself
with a long countdown: waiting is a `next_check_at` in the database.
"""

from celery import shared_task

from vicbot.services.heartbeats import worker_heartbeat_record
from vicbot.services.pitches.evaluation import pitches_admit
from vicbot.services.pitches.intake import pitches_pull
from vicbot.services.pitches.manual import pitch_evaluate_again
from vicbot.services.pitches.writeback import writeback_flush, writebacks_due
from vicbot.services.runs.advance import run_advance
from vicbot.services.runs.cancel import response_cancel
from vicbot.services.runs.tick import runs_tick
from vicbot.services.runs.tool_calls import tool_call_execute
from vicbot.services.runs.webhooks import webhook_event_process


@shared_task(name="vicbot.worker_heartbeat", bind=True)
def worker_heartbeat_task(self) -> None:
    worker_heartbeat_record(hostname=self.request.hostname or "unknown")


@shared_task(name="vicbot.tick")
def tick_task() -> None:
    runs_tick()
    writebacks_due()


@shared_task(name="vicbot.run_advance")
def run_advance_task(run_id: int) -> None:
    run_advance(run_id=run_id)


# Generous limits: a tool enforces its own timeout first; this only catches a hang.
@shared_task(name="vicbot.tool_call_execute", soft_time_limit=300, time_limit=330)
def tool_call_execute_task(tool_call_id: int) -> None:
    tool_call_execute(tool_call_id=tool_call_id)


@shared_task(name="vicbot.response_cancel")
def response_cancel_task(response_id: str) -> None:
    response_cancel(response_id=response_id)


@shared_task(name="vicbot.webhook_event_process")
def webhook_event_process_task(event_id: int) -> None:
    webhook_event_process(event_id=event_id)


# Salesforce calls can be slow; a pass pages through many records.
@shared_task(name="vicbot.pull_pitches", soft_time_limit=540, time_limit=600)
def pull_pitches_task(pipeline_id: int) -> str:
    return str(pitches_pull(pipeline_id=pipeline_id))


@shared_task(name="vicbot.pitches_admit")
def pitches_admit_task(pipeline_id: int) -> int:
    return pitches_admit(pipeline_id=pipeline_id)


@shared_task(name="vicbot.writeback_flush", soft_time_limit=240, time_limit=270)
def writeback_flush_task(pipeline_id: int) -> int:
    return writeback_flush(pipeline_id=pipeline_id)


@shared_task(name="vicbot.pitch_evaluate_again")
def pitch_evaluate_again_task(pitch_id: int) -> None:
    pitch_evaluate_again(pitch_id=pitch_id)
