from django.db import models


class Outcome(models.TextChoices):
    """What a pitch's judgment comes to, for partners and assistant alike (the scores compare these)."""

    ADVANCE = "advance"  # meet the founders / invest: the pitch goes on
    PASS = "pass"
    UNDECIDED = "undecided"  # no decision yet (a partner's) or an answer mapped to none (the assistant's)
    ABSTAIN = "abstain"  # only for the assistant: e.g. "Insufficient information", left out of agreement


class Decision(models.Model):
    """One change of the partners' decision on a pitch, as intake saw it in Salesforce.

    The pipeline's `decision_field` (a picklist such as a stage) is read beside the pitch's fields
    but is never part of the snapshot sent to the model, and its change is not an edit of the pitch.
    Each distinct value seen is one row; the pitch's latest is also kept on Pitch.decision_*.
    """

    pitch = models.ForeignKey("pipelines.Pitch", on_delete=models.CASCADE, related_name="decisions")
    value = models.CharField(max_length=255, blank=True, help_text="The Salesforce field's value, as read.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices,
                               help_text="The value through the pipeline's decision_outcomes map.")
    decided_at = models.DateTimeField(help_text="The record's SystemModstamp when intake saw the change (else now).")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pitch", "decided_at", "pk"]
        indexes = [models.Index(fields=["pitch", "-decided_at"], name="decision_pitch_latest_idx")]

    def __str__(self) -> str:
        return f"{self.value or '(empty)'} → {self.outcome}"
