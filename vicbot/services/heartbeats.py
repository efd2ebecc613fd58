from datetime import timedelta

from django.utils import timezone

from vicbot.models import WorkerHeartbeat

# The beat sends a heartbeat task every 60 s: three missed ones and the worker is presumed gone.
WORKER_SILENT_AFTER = timedelta(minutes=3)
NO_WORKER_WARNING = ("No worker has reported in the last 3 minutes: the queued work waits until a worker runs "
                     "(see the dashboard's Workers).")


def a_worker_is_alive() -> bool:
    return WorkerHeartbeat.objects.filter(last_seen_at__gte=timezone.now() - WORKER_SILENT_AFTER).exists()


def worker_heartbeat_record(*, hostname: str) -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"last_seen_at": timezone.now()}
    )
    return heartbeat
