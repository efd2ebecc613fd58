from django.db import models


class WorkerHeartbeat(models.Model):
    """Last time a worker process said it is alive (vicbot/worker_liveness.py), and when it said it stopped."""

    hostname = models.CharField(max_length=255, unique=True)
    last_seen_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True, help_text="When it said it was shutting down.")

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.last_seen_at:%Y-%m-%d %H:%M:%S}"
