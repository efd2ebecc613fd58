"""The evaluation lab's Celery tasks: thin. Each takes ids and calls one service."""

from celery import shared_task

from config.enqueue import Task
from evaluations.services.runner import evaluation_advance


@shared_task(name=Task.EVALUATION_ADVANCE)
def evaluation_advance_task(evaluation_id: int) -> int:
    return evaluation_advance(evaluation_id=evaluation_id)
