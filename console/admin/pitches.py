"""Pieces of the operator's console that the pipeline admin uses: the schedule edited on the
pipeline (kept in step with its beat task) and resuming a paused pipeline. Kept apart from
admin.py so the permission rules there and the presentation here can change independently."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils import timezone

from pipelines.models import Pipeline, Pitch
from pipelines.services.admission import pipeline_in_flight_limit
from pipelines.services.pause import pipeline_resume
from pipelines.services.pipelines import pipeline_schedule

DEFAULT_EVERY_SECONDS = 300


def schedule_every_seconds(pipeline: Pipeline) -> int | None:
    task = pipeline.schedule
    if task is None or task.interval is None:
        return None
    unit = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1, "microseconds": 0}
    return task.interval.every * unit.get(task.interval.period, 1) or None


class ScheduleFields(forms.Form):
    """Adds "every N minutes" to the pipeline form (not a model field: it lives on the beat task)."""

    every_minutes = forms.IntegerField(
        min_value=1, max_value=24 * 60, required=False, label="Pull every (minutes)",
        help_text="How often intake looks for new records. Kept in step with the pipeline's beat task, "
                  "which is also switched off while the pipeline is disabled.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk and (every := schedule_every_seconds(instance)):
            self.fields["every_minutes"].initial = max(1, every // 60)
        else:
            self.fields["every_minutes"].initial = DEFAULT_EVERY_SECONDS // 60

    def clean(self):
        cleaned = super().clean()
        # Not a Pipeline field: kept aside so the pipeline's own checks see only its fields.
        self.every_minutes = cleaned.pop("every_minutes", None) if cleaned is not None else None
        return cleaned


class PipelineConsoleMixin:
    """Saves the schedule with the pipeline, and offers "Resume now" on paused pipelines."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        minutes = getattr(form, "every_minutes", None)
        every = minutes * 60 if minutes else (schedule_every_seconds(obj) or DEFAULT_EVERY_SECONDS)
        # Also carries `enabled` over to the beat task, so the two never disagree.
        pipeline_schedule(pipeline=obj, every_seconds=every)

    @admin.action(description="Resume now (paused pipelines start runs again at once)", permissions=["change"])
    def resume_now(self, request, queryset):
        resumed = sum(pipeline_resume(pipeline_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"Resumed {resumed} of {queryset.count()} pipelines (running ones are left alone).")

    def get_list_display(self, request):
        return ("name", "enabled", "state", "every", "sobject", "assistant_name", "in_flight", "api_usage",
                "last_intake")

    @admin.display(description="in flight at most", ordering="max_in_flight")
    def in_flight(self, obj: Pipeline) -> str:
        """The operator's cap, or "auto (N)": N as OpenAI's rate limits for the model allow right now."""
        if obj.max_in_flight is not None:
            return str(obj.max_in_flight)
        limit = pipeline_in_flight_limit(obj)
        return "auto" if limit is None else f"auto ({limit})"

    @admin.display(description="state")
    def state(self, obj: Pipeline) -> str:
        if not obj.enabled:
            return "disabled"
        if obj.paused_at:
            reason = obj.pause_reason if len(obj.pause_reason) <= 70 else obj.pause_reason[:69] + "…"
            return f"paused: {reason}"  # whole on the pipeline's page
        return "running"

    @admin.display(description="pull every")
    def every(self, obj: Pipeline) -> str:
        seconds = schedule_every_seconds(obj)
        return "—" if not seconds else (f"{seconds // 60} min" if seconds >= 60 else f"{seconds} s")

    @admin.display(description="last intake", ordering="last_intake_at")
    def last_intake(self, obj: Pipeline) -> str:
        if obj.last_intake_at is None:
            return "never"
        when = timezone.localtime(obj.last_intake_at).strftime("%Y-%m-%d %H:%M:%S")
        failed = obj.last_intake_error and (obj.last_intake_error_at or obj.last_intake_at) >= obj.last_intake_at
        return f"{when}: {'failed' if failed else obj.last_intake_summary}"


def confirm_past_limit(request, model_admin, *, action: str, ids: list, items: list[str], reasons: list[str],
                       checkbox_label: str) -> TemplateResponse:
    """The intermediate page of an action a pipeline's rule refused, for an operator who may go past it."""
    return TemplateResponse(request, "admin/confirm_past_limit.html", {
        **model_admin.admin_site.each_context(request),
        "title": "Start past the daily spend cap?", "opts": model_admin.model._meta,
        "intro": "The pipeline refuses to start these evaluations now:", "action": action, "ids": ids,
        "items": items, "reasons": reasons, "checkbox_label": checkbox_label,
    })


# What the write-back adds to the pitch's own status, so the two never contradict each other.
WRITEBACK_NOTE = {
    Pitch.WriteBack.QUEUED: "write-back queued",
    Pitch.WriteBack.WRITING: "writing back now",
    Pitch.WriteBack.FAILED: "write-back failed",
    Pitch.WriteBack.SUPERSEDED: "its write-back was superseded by a newer evaluation",
}


def status_sentence(pitch: Pitch) -> str:
    label = pitch.get_status_display()
    if pitch.status == Pitch.Status.EVALUATED and pitch.writeback_state == Pitch.WriteBack.FAILED:
        label = "answered, but the write-back failed"
    elif pitch.status == Pitch.Status.EVALUATED and pitch.writeback_state in WRITEBACK_NOTE:
        label = f"answered ({WRITEBACK_NOTE[pitch.writeback_state]})"
    elif pitch.writeback_state in (Pitch.WriteBack.FAILED, Pitch.WriteBack.QUEUED, Pitch.WriteBack.WRITING) \
            and pitch.status != Pitch.Status.EVALUATED:
        label = f"{label}; {WRITEBACK_NOTE[pitch.writeback_state]}"
    return label


class PitchConsoleMixin:
    """The pitch list shows one status that agrees with the write-back's, and fits 1440 px."""

    def get_list_display(self, request):
        return ("name", "salesforce_id", "pipeline", "status_and_writeback", "assessment", "problem", "updated")

    @admin.display(description="error")
    def problem(self, obj: Pitch) -> str:
        text = obj.writeback_error if obj.writeback_state == Pitch.WriteBack.FAILED else obj.error
        return text if len(text) <= 80 else text[:79] + "…"  # whole on the pitch's page

    @admin.display(description="updated", ordering="updated_at")
    def updated(self, obj: Pitch) -> str:
        return timezone.localtime(obj.updated_at).strftime("%Y-%m-%d %H:%M:%S")

    @admin.display(description="status", ordering="status")
    def status_and_writeback(self, obj: Pitch) -> str:
        return status_sentence(obj)
