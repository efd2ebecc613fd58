from django.db import models


class WorkerHeartbeat(models.Model):
    """Last time a worker proved it can take a task from the broker and write to the database."""

    hostname = models.CharField(max_length=255, unique=True)
    last_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.last_seen_at:%Y-%m-%d %H:%M:%S}"
