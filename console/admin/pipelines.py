"""Pipelines in the admin: edited here, checked against Salesforce before they are saved, their
schedule ("pull every N minutes") kept on their beat task; pull now and resume now, each under
its own permission (Pipeline.Meta.permissions)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from config.enqueue import enqueue_pull_pitches
from console.activity import RecordedActions
from console.admin.common import warn_if_no_worker
from console.admin.return_to import ActionReturnsToPage
from console.formatting import when
from console.setup_checklist import setup_checklist
from pipelines.models import Pipeline
from pipelines.services.admission import pipeline_in_flight_limit
from pipelines.services.configuration import assistant_problem
from pipelines.services.pause import pipeline_resume
from pipelines.services.pipelines import (
    DEFAULT_EVERY_SECONDS,
    InvalidPipeline,
    pipeline_condition,
    pipeline_check_in_salesforce,
    pipeline_schedule,
    pipeline_validate,
)


def schedule_every_seconds(pipeline: Pipeline) -> int | None:
    # A pipelines read the console keeps until pipelines/selectors.py has it.
    task = pipeline.schedule
    if task is None or task.interval is None:
        return None
    unit = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1, "microseconds": 0}
    return task.interval.every * unit.get(task.interval.period, 1) or None


class TypedTextField(forms.CharField):
    """Text kept as the operator typed it: whitespace included, and the CRLF line ends an HTML form
    sends for a textarea's LF read back as LF. A save without changes then stores the very same text
    (no spurious change in History, no different prompt for the model); text stored with CRLF
    (e.g. by a script) and left untouched in the form is kept byte for byte (`clean_…` below)."""

    def __init__(self, **kwargs):
        kwargs["strip"] = False
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value

    def has_changed(self, initial, data) -> bool:
        return self.to_python(data) != (initial or "").replace("\r\n", "\n")


class PipelineForm(forms.ModelForm):
    """The checks are the services' (assistant_problem, pipeline_validate, pipeline_check_in_salesforce);
    "every N minutes" is not a model field: it lives on the beat task."""

    every_minutes = forms.IntegerField(
        min_value=1, max_value=24 * 60, required=False, label="Pull every (minutes)",
        help_text="How often intake looks for new records. Kept in step with the pipeline's beat task, "
                  "which is also switched off while the pipeline is disabled.",
    )

    class Meta:
        model = Pipeline
        # The beat task is the pipeline's own (pipeline_schedule): chosen here it was ignored anyway.
        exclude = ["schedule"]
        field_classes = {"selection": TypedTextField, "prompt_template": TypedTextField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and (every := schedule_every_seconds(self.instance)):
            self.fields["every_minutes"].initial = max(1, every // 60)
        else:
            self.fields["every_minutes"].initial = DEFAULT_EVERY_SECONDS // 60

    # The evaluation lab's maps are optional: left blank, a pipeline records no outcomes (not "null").
    def clean_decision_outcomes(self):
        return self.cleaned_data.get("decision_outcomes") or {}

    def clean_assessment_outcomes(self):
        return self.cleaned_data.get("assessment_outcomes") or {}

    def clean(self):
        cleaned = super().clean()
        # Not a Pipeline field: kept aside so the pipeline's own checks see only its fields.
        self.every_minutes = cleaned.pop("every_minutes", None) if cleaned is not None else None
        self.salesforce_notes: list[str] = []
        if self.errors:
            return cleaned  # a field is already wrong (e.g. not JSON): fix that first
        for name in ("selection", "prompt_template"):
            if name in cleaned and name not in self.changed_data and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)  # untouched: byte for byte as stored
        pipeline = Pipeline(**cleaned)
        if problem := assistant_problem(pipeline.assistant_name):
            self.add_error("assistant_name", problem)
            return cleaned
        try:
            pipeline_validate(pipeline)
            self.salesforce_notes = pipeline_check_in_salesforce(pipeline=pipeline)
        except InvalidPipeline as exc:
            raise forms.ValidationError(str(exc)) from exc
        return cleaned


@admin.register(Pipeline)
class PipelineAdmin(ActionReturnsToPage, RecordedActions, admin.ModelAdmin):
    form = PipelineForm
    list_display = ("name", "enabled", "state_shown", "every", "sobject", "assistant_name", "in_flight",
                    "api_usage", "last_intake")
    readonly_fields = ("watermark", "api_usage", "last_intake_at", "last_intake_summary")
    actions = ["pull_now", "resume_now"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Only what the form was asked to change: the interval when "Pull every" was edited (a 5 s
        # schedule set elsewhere is not rounded to a minute by an unrelated edit), the beat task's
        # enabled flag when the `enabled` switch was (a task switched off in Periodic tasks stays off).
        minutes = getattr(form, "every_minutes", None)
        every = minutes * 60 if minutes and (not change or "every_minutes" in form.changed_data) else None
        pipeline_schedule(pipeline=obj, every_seconds=every,
                          follow_enabled=not change or "enabled" in form.changed_data)
        for note in getattr(form, "salesforce_notes", []):
            messages.warning(request, f"{obj}: {note}")

    def changelist_view(self, request, extra_context=None):
        # An empty install says what it lacks, rather than a pipeline that reads "running".
        return super().changelist_view(request, {"setup_checklist": setup_checklist(), **(extra_context or {})})

    def has_pull_permission(self, request):
        return request.user.has_perm("pipelines.pull_pipeline")

    @admin.action(description="Pull pitches now", permissions=["pull"])
    def pull_now(self, request, queryset):
        for pipeline in queryset:
            enqueue_pull_pitches(pipeline.pk)
        self.message_user(request, f"Queued an intake pass for {queryset.count()} pipelines.")
        warn_if_no_worker(request)

    @admin.action(description="Resume now (paused pipelines start runs again at once)", permissions=["change"])
    def resume_now(self, request, queryset):
        resumed = sum(pipeline_resume(pipeline_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"Resumed {resumed} of {queryset.count()} pipelines (running ones are left alone).")

    @admin.display(description="in flight at most", ordering="max_in_flight")
    def in_flight(self, obj: Pipeline) -> str:
        """The operator's cap, or "auto (N)": N as OpenAI's rate limits for the model allow right now."""
        if obj.max_in_flight is not None:
            return str(obj.max_in_flight)
        limit = pipeline_in_flight_limit(obj)
        return "auto" if limit is None else f"auto ({limit})"

    # Not named `state`: the model's field of that name would be shown instead (the admin looks fields up first).
    @admin.display(description="state", ordering="state")
    def state_shown(self, obj: Pipeline) -> str:
        condition = pipeline_condition(obj)
        if condition.runs:
            return condition.word
        why = condition.why if len(condition.why) <= 90 else condition.why[:89] + "…"
        return f"{condition.word}: {why}"  # whole on the pipeline's page

    @admin.display(description="pull every")
    def every(self, obj: Pipeline) -> str:
        seconds = schedule_every_seconds(obj)
        return "—" if not seconds else (f"{seconds // 60} min" if seconds >= 60 else f"{seconds} s")

    @admin.display(description="last intake", ordering="last_intake_at")
    def last_intake(self, obj: Pipeline) -> str:
        if obj.last_intake_at is None:
            return "never"
        stamp = when(obj.last_intake_at)
        failed = obj.last_intake_error and (obj.last_intake_error_at or obj.last_intake_at) >= obj.last_intake_at
        return f"{stamp}: {'failed' if failed else obj.last_intake_summary}"
