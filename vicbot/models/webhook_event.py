from django.db import models


class WebhookEvent(models.Model):
    """A verified webhook delivery; the unique id makes redeliveries harmless."""

    webhook_id = models.CharField(max_length=100, unique=True)
    event_type = models.CharField(max_length=100)
    response_id = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    # Set once the event was acted on; the tick re-sends events whose message was lost.
    processed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # An event whose processing fails (e.g. a response OpenAI no longer returns) is tried again
    # later, a bounded number of times, so it never crowds out the events that can be processed.
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Processing attempts that failed.")
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When the tick may send it again (blank: once it is 30 s old)."
    )
    failed_at = models.DateTimeField(null=True, blank=True, help_text="Given up on after its last attempt.")
    error = models.TextField(blank=True, help_text="Why the last attempt failed.")

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # The tick's question: which unprocessed events are due now.
            models.Index(fields=["next_attempt_at"], name="webhook_event_due_idx",
                         condition=models.Q(processed_at__isnull=True, failed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.response_id}"
