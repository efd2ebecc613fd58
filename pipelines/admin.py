"""The pitch pipeline in the operator's console: pipelines are edited, pitches are history."""

from django import forms
from django.contrib import admin

from config.enqueue import enqueue_pitch_evaluate_again, enqueue_pull_pitches
from pipelines.models import Pipeline, Pitch
from pipelines.services.pipelines import InvalidPipeline, pipeline_schedule, pipeline_validate
from pipelines.services.writeback import writeback_retry


class PipelineForm(forms.ModelForm):
    class Meta:
        model = Pipeline
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        try:
            pipeline_validate(Pipeline(**{k: v for k, v in cleaned.items() if k != "schedule"}))
        except InvalidPipeline as exc:
            raise forms.ValidationError(str(exc)) from exc
        return cleaned


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    form = PipelineForm
    list_display = ("name", "enabled", "sobject", "assistant_name", "max_in_flight", "schedule", "watermark",
                    "api_usage", "last_intake_at", "last_intake_summary")
    readonly_fields = ("watermark", "api_usage", "last_intake_at", "last_intake_summary")
    actions = ["pull_now"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.schedule is None:
            pipeline_schedule(pipeline=obj, every_seconds=300)

    @admin.action(description="Pull pitches now")
    def pull_now(self, request, queryset):
        for pipeline in queryset:
            enqueue_pull_pitches(pipeline.pk)
        self.message_user(request, f"Queued an intake pass for {queryset.count()} pipelines.")


@admin.register(Pitch)
class PitchAdmin(admin.ModelAdmin):
    list_display = ("name", "salesforce_id", "pipeline", "status", "assessment", "writeback_state",
                    "writeback_error", "updated_at")
    list_filter = ("pipeline", "status", "writeback_state", "assessment")
    search_fields = ("name", "salesforce_id")
    readonly_fields = ("runs",)
    actions = ["evaluate_again", "retry_writeback"]

    # Pitches are history: read-only here; actions change them through services.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Evaluate again (new run; earlier runs are kept)")
    def evaluate_again(self, request, queryset):
        for pitch_id in queryset.values_list("pk", flat=True):
            enqueue_pitch_evaluate_again(pitch_id)
        self.message_user(request, f"Queued {queryset.count()} pitches for a new evaluation.")

    @admin.action(description="Retry the Salesforce write-back")
    def retry_writeback(self, request, queryset):
        count = writeback_retry(pitch_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"Queued {count} write-backs (only failed ones are retried).")
