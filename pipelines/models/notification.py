from django.db import models


class Notification(models.Model):
    """One event an operator is told about (pipelines.services.notifications): what, where, and how
    each channel took it. A repeat of the same kind for the same pipeline within the interval is
    recorded too, pointing at the message already sent, and sends nothing."""

    class Kind(models.TextChoices):
        PIPELINE_PAUSED = "pipeline_paused", "pipeline paused"
        PIPELINE_RESUMED = "pipeline_resumed", "pipeline resumed"
        PITCH_FAILED = "pitch_failed", "pitch failed for good"
        WRITEBACK_FAILED = "writeback_failed", "write-back gave up"
        NO_LIVE_WORKER = "no_live_worker", "no live worker"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    pipeline = models.ForeignKey("pipelines.Pipeline", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the channels were tried; blank: not sent.")
    channels = models.JSONField(
        default=dict, blank=True,
        help_text='Each channel\'s result, e.g. {"slack": "ok", "email": "error: …"}; empty: none configured.')
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The message of the same kind and pipeline sent within the interval: this one was not sent.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "pipeline", "created_at"], name="pipelines_notification_slot")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"
