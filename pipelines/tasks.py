"""Celery tasks: thin. Each takes ids, loads rows and calls one service."""

from celery import shared_task

from vicbot.services.heartbeats import worker_heartbeat_record


@shared_task(name="vicbot.worker_heartbeat", bind=True)
def worker_heartbeat_task(self) -> None:
    worker_heartbeat_record(hostname=self.request.hostname or "unknown")
