from django.db import models


class WebhookEvent(models.Model):
    """A verified webhook delivery; the unique id makes redeliveries harmless."""

    webhook_id = models.CharField(max_length=100, unique=True)
    event_type = models.CharField(max_length=100)
    response_id = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    # Set once the event was acted on; the tick re-sends events whose message was lost.
    processed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.response_id}"
