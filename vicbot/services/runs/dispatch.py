"""Enqueue engine tasks by name, after the surrounding transaction commits.

By name, so services never import tasks (arrows point pipelines → services).
"""

from django.db import transaction

from config.celery_app import app

RUN_ADVANCE = "vicbot.run_advance"
TOOL_CALL_EXECUTE = "vicbot.tool_call_execute"
RESPONSE_CANCEL = "vicbot.response_cancel"


def send_after_commit(task_name: str, *args: int | str) -> None:
    transaction.on_commit(lambda: app.send_task(task_name, args=list(args)))


def advance_after_commit(run_id: int) -> None:
    send_after_commit(RUN_ADVANCE, run_id)
