from django.db import models


class ToolCall(models.Model):
    """One function call the model asked for, executed as its own task."""

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"  # the tool answered with an error; the model was told
        TIMED_OUT = "timed_out"
        SKIPPED = "skipped", "skipped (the run had ended)"
        # Not run: past the per-turn or per-run limit on tool calls (vicbot/services/runs/tool_limits.py);
        # the model was told why. A tool's own refusal (e.g. PitchBook credits) is a failed call.
        REFUSED = "refused", "refused (over a limit)"

    run = models.ForeignKey("vicbot.Run", on_delete=models.CASCADE, related_name="tool_calls")
    turn = models.PositiveSmallIntegerField()
    call_id = models.CharField(max_length=100)
    name = models.CharField(max_length=100)
    arguments = models.TextField(blank=True)
    output = models.TextField(blank=True, help_text="What the model got back.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    systemic_error = models.BooleanField(
        default=False, help_text="The tool failed for a reason about the setup (e.g. PitchBook credits exhausted)."
    )
    class Replayed(models.TextChoices):
        LIVE = "", "live (the tool ran)"
        EXACT = "exact", "recorded (same tool and arguments)"
        NORMALISED = "normalised", "recorded (after normalising URLs and names)"
        MISS = "miss", "no recorded result (the model was told)"

    replayed = models.CharField(max_length=10, choices=Replayed.choices, blank=True, default="",
                                help_text="In a replay: how the recording answered this call.")
    attempts = models.PositiveSmallIntegerField(default=0)
    usage = models.JSONField(default=dict, blank=True, help_text="Metered units spent, e.g. PitchBook credits.")
    usage_unknown = models.BooleanField(
        default=False,
        help_text="What this call spent cannot be told: it was recorded while a turn's calls shared one running "
                  "total, and its output does not say. Its usage is empty and left out of the run's totals.",
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["run", "turn", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "call_id"], name="tool_call_unique_per_run")]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED, self.Status.TIMED_OUT, self.Status.SKIPPED,
                               self.Status.REFUSED)
