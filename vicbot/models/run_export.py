from django.conf import settings
from django.db import models


class RunExport(models.Model):
    """One export of runs (admin action or `manage.py export_runs`): who took the data out, when, how much."""

    exported_at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    # Kept as text too: the user may be deleted later, and the command has no Django user.
    exported_by = models.CharField(max_length=150, help_text="The admin user, or the OS user of the command.")
    source = models.CharField(max_length=20, help_text="admin or command.")
    run_count = models.PositiveIntegerField()
    filters = models.JSONField(default=dict, blank=True, help_text="What was asked for (ids or filters).")

    class Meta:
        ordering = ["-exported_at"]

    def __str__(self) -> str:
        return f"{self.run_count} runs by {self.exported_by} ({self.source})"
