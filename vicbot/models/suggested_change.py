from django.conf import settings
from django.db import models


class SuggestedChange(models.Model):
    """A Salesforce write a tool proposed instead of making, waiting for an operator's decision.

    The model reads untrusted text, so what the fund has not approved in advance (changing an
    existing Contact, a Contact for another company) is stored here: which object and record,
    the fields and values, the run and tool call that suggested it. Its status moves only
    through SUGGESTION_STATES (vicbot.services.suggested_changes); an approved change is
    written by a worker task, and the outcome (or the error) is kept.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "pending review"
        APPROVED = "approved", "approved, being written"
        REJECTED = "rejected"
        APPLIED = "applied", "written to Salesforce"
        FAILED = "failed", "approved, but the write failed"

    run = models.ForeignKey("vicbot.Run", on_delete=models.CASCADE, related_name="suggested_changes")
    tool_call = models.ForeignKey("vicbot.ToolCall", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="suggested_changes")
    sobject = models.CharField("object", max_length=80, help_text="Salesforce sObject, e.g. Contact.")
    record_id = models.CharField(max_length=18, blank=True, help_text="The record to change; blank: a new record.")
    fields = models.JSONField(default=dict, help_text="Field API name → the value suggested.")
    current = models.JSONField(default=dict, blank=True,
                               help_text="The record's values of those fields when the change was suggested.")
    reason = models.TextField(blank=True, help_text="Why the tool suggested this rather than writing it.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # Kept as text too: the decision stays readable if the user is deleted.
    decided_by_name = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, help_text="The operator's reason (required to reject).")
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_record_id = models.CharField(max_length=18, blank=True, help_text="The record written (new or changed).")
    apply_attempts = models.PositiveSmallIntegerField(default=0)
    apply_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("review_suggestedchange", "Can approve or reject suggested Salesforce changes")]
        constraints = [
            # Every decision says when it was made (who, too, unless that user was deleted since).
            models.CheckConstraint(condition=models.Q(status="pending") | models.Q(decided_at__isnull=False),
                                   name="suggested_change_decision_has_a_time"),
        ]

    def __str__(self) -> str:
        target = self.record_id or "new"
        return f"{self.sobject} {target} ({self.status})"
