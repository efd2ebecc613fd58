"""Which workers are alive, as each worker process says itself (vicbot/worker_liveness.py).

A worker reports when it is ready, every VICBOT_WORKER_HEARTBEAT_SECONDS while it runs (a thread
of its own: no beat, no queue between it and the database) and when it shuts down. Alive: it
reported within HEALTH_HEARTBEAT_MAX_AGE_SECONDS (twice the interval by default) and has not said
it stopped. The dashboard, the actions' warning, `vicbot_status` and /healthz all read this.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from vicbot.models import WorkerHeartbeat


def worker_silent_after() -> timedelta:
    return timedelta(seconds=settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS)


NO_WORKER_WARNING = (f"No worker has reported in the last {settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS:g} s: the "
                     "queued work waits until a worker runs (see the dashboard's Workers).")


def live_workers():
    return WorkerHeartbeat.objects.filter(last_seen_at__gte=timezone.now() - worker_silent_after(),
                                          stopped_at__isnull=True)


def a_worker_is_alive() -> bool:
    return live_workers().exists()


def worker_heartbeat_record(*, hostname: str) -> WorkerHeartbeat:
    """The worker `hostname` is alive now (it started, or is still running)."""
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"last_seen_at": timezone.now(), "stopped_at": None}
    )
    return heartbeat


def worker_stopped_record(*, hostname: str) -> None:
    """The worker `hostname` is shutting down: gone now, not when its last report grows old."""
    WorkerHeartbeat.objects.filter(hostname=hostname).update(stopped_at=timezone.now())
