from django.db import models


class Pitch(models.Model):
    """One Salesforce record of one pipeline: what we sent, what came back, where it stands."""

    class Status(models.TextChoices):
        NEW = "new", "waiting for a run"
        EVALUATING = "evaluating"
        RETRY_WAITING = "retry_waiting", "waiting to try again"
        EVALUATED = "evaluated", "answered (write-back pending)"
        WRITTEN_BACK = "written_back", "written back"
        FAILED = "failed", "failed (every attempt's reason kept)"
        DELETED = "deleted", "deleted in Salesforce"
        SKIPPED = "skipped", "skipped by an operator"
        # Intake could not store the record even after cleaning its text: set aside, never admitted.
        REJECTED = "rejected", "rejected at intake (could not be stored)"

    class WriteBack(models.TextChoices):
        NOT_DUE = "not_due"
        QUEUED = "queued"
        WRITING = "writing"
        DONE = "done"
        FAILED = "failed"
        SUPERSEDED = "superseded", "superseded by a newer evaluation"

    pipeline = models.ForeignKey("pipelines.Pipeline", on_delete=models.CASCADE, related_name="pitches")
    salesforce_id = models.CharField(max_length=18)
    name = models.CharField(max_length=255, blank=True)
    system_modstamp = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(default=dict, help_text="The fields as sent to the model.")
    deck = models.ForeignKey(
        "pipelines.Deck", null=True, blank=True, on_delete=models.SET_NULL, related_name="pitches",
        help_text="The record's deck as last found (its version is part of what counts as an edit).",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)
    error = models.TextField(blank=True)
    intake_note = models.TextField(
        blank=True, help_text="What intake had to change in the record's text to store it (e.g. NUL characters)."
    )
    assessment = models.CharField(max_length=255, blank=True)
    reasoning = models.TextField(blank=True)
    runs = models.ManyToManyField("vicbot.Run", related_name="pitches", blank=True)
    latest_run = models.ForeignKey("vicbot.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Runs started for the current text (an edit or an operator's evaluate again resets it)."
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="When a waiting retry may start.")
    attempt_log = models.JSONField(default=list, blank=True, help_text="Each ended attempt: run, outcome, reason.")
    # An operator's skip or fail, and why (typed by them): kept until the pitch is evaluated again.
    operator_reason = models.TextField(blank=True)
    operator = models.CharField(max_length=150, blank=True, help_text="Who skipped or failed the pitch.")
    operator_at = models.DateTimeField(null=True, blank=True)
    past_cap_starts = models.JSONField(
        default=list, blank=True,
        help_text="Runs an operator started past the pipeline's daily spend cap: run, who, when, the spend "
                  "then.",
    )

    writeback_state = models.CharField(
        max_length=10, choices=WriteBack.choices, default=WriteBack.NOT_DUE, db_index=True
    )
    writeback_attempts = models.PositiveSmallIntegerField(default=0)
    writeback_error = models.TextField(blank=True)
    next_writeback_at = models.DateTimeField(null=True, blank=True)
    writeback_claimed_at = models.DateTimeField(null=True, blank=True)
    # What the write-back sends, fixed when it is queued: the answer of the run that produced it.
    writeback_run = models.ForeignKey("vicbot.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    writeback_values = models.JSONField(default=dict, blank=True, help_text="Salesforce field → value to write.")
    written_back_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "pitches"
        indexes = [models.Index(fields=["pipeline", "writeback_state", "next_writeback_at"], name="pitch_writeback_idx")]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "salesforce_id"], name="pitch_unique_per_pipeline"),
            # Work that waits always knows when it is due: the database refuses anything else.
            models.CheckConstraint(condition=~models.Q(writeback_state="queued", next_writeback_at__isnull=True),
                                   name="pitch_queued_writeback_has_a_time"),
            models.CheckConstraint(condition=~models.Q(status="retry_waiting", next_attempt_at__isnull=True),
                                   name="pitch_retry_has_a_time"),
        ]
        # The admin's actions on pitches (pitches are history: nobody changes or deletes them there).
        permissions = [
            ("evaluate_pitch", "Can evaluate pitches again"),
            ("retry_writeback", "Can retry a pitch's Salesforce write-back"),
            ("skip_or_fail_pitch", "Can skip a pitch or fail it, with a reason"),
            ("evaluate_past_cap", "Can evaluate pitches past the daily spend cap (after confirming)"),
        ]

    def __str__(self) -> str:
        return self.name or self.salesforce_id
