"""The pitch pipeline's Celery tasks: thin. Each takes ids, loads rows and calls one service."""

from celery import shared_task

from config.enqueue import Task
from pipelines import beat_watch  # noqa: F401  (connects beat's own check for a live worker)
from pipelines.services.admission import pitches_admit
from pipelines.services.decks import deck_read
from pipelines.services.intake import pitches_pull
from pipelines.services.manual import pitch_evaluate_again
from pipelines.services.notifications import notification_send
from pipelines.services.tick import pipelines_tick
from pipelines.services.writeback import writeback_flush


# Salesforce calls can be slow; a pass pages through many records.
@shared_task(name=Task.PULL_PITCHES, soft_time_limit=540, time_limit=600)
def pull_pitches_task(pipeline_id: int) -> str:
    return str(pitches_pull(pipeline_id=pipeline_id))


@shared_task(name=Task.PITCHES_ADMIT)
def pitches_admit_task(pipeline_id: int) -> int:
    return pitches_admit(pipeline_id=pipeline_id)


@shared_task(name=Task.WRITEBACK_FLUSH, soft_time_limit=240, time_limit=270)
def writeback_flush_task(pipeline_id: int) -> int:
    return writeback_flush(pipeline_id=pipeline_id)


@shared_task(name=Task.PIPELINES_TICK)
def pipelines_tick_task() -> None:
    pipelines_tick()


@shared_task(name=Task.PITCH_EVALUATE_AGAIN)
def pitch_evaluate_again_task(pitch_id: int, past_cap_by: str = "") -> None:
    pitch_evaluate_again(pitch_id=pitch_id, past_cap_by=past_cap_by)


# A deck of up to DECK_MAX_FILE_BYTES is downloaded, checked in a child and uploaded.
@shared_task(name=Task.DECK_READ, soft_time_limit=540, time_limit=600)
def deck_read_task(deck_id: int) -> str:
    return deck_read(deck_id=deck_id)


# Each channel has its own timeout (NOTIFY_TIMEOUT_SECONDS); the limits only bound a stuck mail server.
@shared_task(name=Task.NOTIFICATION_SEND, soft_time_limit=60, time_limit=90)
def notification_send_task(kind: str, pipeline_id: int, text: str) -> int:
    return notification_send(kind=kind, pipeline_id=pipeline_id or None, text=text).pk
