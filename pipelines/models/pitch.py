from django.db import models


class Pitch(models.Model):
    """One Salesforce record of one pipeline: what we sent, what came back, where it stands."""

    class Status(models.TextChoices):
        NEW = "new", "new (waiting for a run)"
        EVALUATING = "evaluating"
        EVALUATED = "evaluated", "evaluated (write-back pending)"
        WRITTEN_BACK = "written_back", "written back"
        FAILED = "failed"
        DELETED = "deleted", "deleted in Salesforce"

    class WriteBack(models.TextChoices):
        NOT_DUE = "not_due"
        QUEUED = "queued"
        WRITING = "writing"
        DONE = "done"
        FAILED = "failed"

    pipeline = models.ForeignKey("pipelines.Pipeline", on_delete=models.CASCADE, related_name="pitches")
    salesforce_id = models.CharField(max_length=18)
    name = models.CharField(max_length=255, blank=True)
    system_modstamp = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(default=dict, help_text="The fields as sent to the model.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)
    error = models.TextField(blank=True)
    assessment = models.CharField(max_length=255, blank=True)
    reasoning = models.TextField(blank=True)
    runs = models.ManyToManyField("vicbot.Run", related_name="pitches", blank=True)
    latest_run = models.ForeignKey("vicbot.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    writeback_state = models.CharField(
        max_length=10, choices=WriteBack.choices, default=WriteBack.NOT_DUE, db_index=True
    )
    writeback_attempts = models.PositiveSmallIntegerField(default=0)
    writeback_error = models.TextField(blank=True)
    next_writeback_at = models.DateTimeField(null=True, blank=True)
    writeback_claimed_at = models.DateTimeField(null=True, blank=True)
    written_back_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "pitches"
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "salesforce_id"], name="pitch_unique_per_pipeline")
        ]
        indexes = [models.Index(fields=["pipeline", "writeback_state", "next_writeback_at"], name="pitch_writeback_idx")]
        # The admin's actions on pitches (pitches are history: nobody changes or deletes them there).
        permissions = [
            ("evaluate_pitch", "Can evaluate pitches again"),
            ("retry_writeback", "Can retry a pitch's Salesforce write-back"),
        ]

    def __str__(self) -> str:
        return self.name or self.salesforce_id
