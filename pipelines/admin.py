"""The pitch pipeline in the operator's console: pipelines are edited, pitches are history.

Actions need their own permission (Pipeline.Meta and Pitch.Meta declare them); a
pipeline is checked against Salesforce before it is saved.
"""

from django import forms
from django.contrib import admin, messages

from config.enqueue import enqueue_pitch_evaluate_again, enqueue_pull_pitches
# The console's presentation (schedule on the form, resume); permissions stay here.
from pipelines.console_admin import (
    PipelineConsoleMixin,
    PitchConsoleMixin,
    ScheduleFields,
    confirm_past_limit,
)
from pipelines.models import Deck, Pipeline, Pitch
from pipelines.services.pipelines import (
    InvalidPipeline,
    pipeline_check_in_salesforce,
    pipeline_schedule,
    pipeline_validate,
)
from pipelines.services.manual import PAST_CAP_PERMISSION, pipelines_past_cap
from pipelines.services.configuration import assistant_problem
from pipelines.services.operator import OperatorRefused, pitch_fail, pitch_skip
from pipelines.services.writeback import writeback_retry
from vicbot.runs import NO_WORKER_WARNING, a_worker_is_alive


class PipelineForm(ScheduleFields, forms.ModelForm):
    class Meta:
        model = Pipeline
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        self.salesforce_notes: list[str] = []
        if self.errors:
            return cleaned  # a field is already wrong (e.g. not JSON): fix that first
        pipeline = Pipeline(**{k: v for k, v in cleaned.items() if k != "schedule"})
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
class PipelineAdmin(PipelineConsoleMixin, admin.ModelAdmin):
    form = PipelineForm
    list_display = ("name", "enabled", "state", "sobject", "assistant_name", "max_in_flight", "schedule", "watermark",
                    "api_usage", "last_intake_at", "last_intake_summary")
    readonly_fields = ("watermark", "api_usage", "last_intake_at", "last_intake_summary")
    actions = ["pull_now", "resume_now"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for note in getattr(form, "salesforce_notes", []):
            messages.warning(request, f"{obj}: {note}")
        if obj.schedule is None:
            pipeline_schedule(pipeline=obj, every_seconds=300)

    def has_pull_permission(self, request):
        return request.user.has_perm("pipelines.pull_pipeline")

    @admin.action(description="Pull pitches now", permissions=["pull"])
    def pull_now(self, request, queryset):
        for pipeline in queryset:
            enqueue_pull_pitches(pipeline.pk)
        self.message_user(request, f"Queued an intake pass for {queryset.count()} pipelines.")
        warn_if_no_worker(request)


def warn_if_no_worker(request) -> None:
    """An action that queued work says so plainly when no worker is there to do it."""
    if not a_worker_is_alive():
        messages.warning(request, NO_WORKER_WARNING)


@admin.register(Pitch)
class PitchAdmin(PitchConsoleMixin, admin.ModelAdmin):
    list_display = ("name", "salesforce_id", "pipeline", "status_and_writeback", "assessment", "writeback_state",
                    "writeback_error", "updated_at")
    list_filter = ("pipeline", "status", "writeback_state", "assessment")
    search_fields = ("name", "salesforce_id")
    readonly_fields = ("runs",)
    actions = ["evaluate_again", "retry_writeback", "skip_pitches", "fail_pitches"]

    # Pitches are history: read-only here, never deleted (not even by a superuser, so a
    # pipeline that has pitches cannot be deleted here either); actions change them through services.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_evaluate_permission(self, request):
        return request.user.has_perm("pipelines.evaluate_pitch")

    def has_retry_writeback_permission(self, request):
        return request.user.has_perm("pipelines.retry_writeback")

    def has_skip_or_fail_permission(self, request):
        return request.user.has_perm("pipelines.skip_or_fail_pitch")

    @admin.action(description="Skip (never evaluated nor written until evaluated again; give a reason on the "
                              "pitch's page)", permissions=["skip_or_fail"])
    def skip_pitches(self, request, queryset):
        self._set_aside(request, queryset, pitch_skip, "Skipped")

    @admin.action(description="Fail (Salesforce's status field says so; give a reason on the pitch's page)",
                  permissions=["skip_or_fail"])
    def fail_pitches(self, request, queryset):
        self._set_aside(request, queryset, pitch_fail, "Failed")

    def _set_aside(self, request, queryset, service, verb: str) -> None:
        reason = request.POST.get("reason", "")
        done = 0
        for pitch in queryset:
            try:
                service(pitch_id=pitch.pk, reason=reason, user=request.user.get_username())
                done += 1
            except OperatorRefused as exc:
                self.message_user(request, f"{pitch}: {exc}", level=messages.ERROR)
        if done:
            self.message_user(request, f"{verb} {done} pitches.")

    @admin.action(description="Evaluate again (new run; earlier runs are kept)", permissions=["evaluate"])
    def evaluate_again(self, request, queryset):
        """Each pitch starts as its pipeline allows (a free slot, or it waits for one); past a pipeline's
        daily spend cap only with the past-cap permission and the operator's ticked confirmation."""
        pitches = list(queryset.select_related("pipeline"))
        refusals = pipelines_past_cap(pitch.pipeline_id for pitch in pitches)
        past_cap = [pitch for pitch in pitches if pitch.pipeline_id in refusals]
        may_override = request.user.has_perm(PAST_CAP_PERMISSION)
        confirmed = may_override and request.POST.get("past_limit_confirmed") == "yes"
        if past_cap and may_override and not confirmed:
            if request.POST.get("past_limit_submit"):
                messages.error(request, "Nothing was started: tick the box to confirm starting past the cap.")
            return confirm_past_limit(
                request, self, action="evaluate_again", ids=[pitch.pk for pitch in pitches],
                items=[f"{pitch} ({pitch.pipeline}){' — past the cap' if pitch in past_cap else ''}"
                       for pitch in pitches],
                reasons=sorted({str(refusals[pitch.pipeline_id]) for pitch in past_cap}),
                checkbox_label=f"Start {len(past_cap)} evaluations past the daily spend cap.",
            )
        queued = 0
        for pitch in pitches:
            if pitch in past_cap and not confirmed:
                continue
            by = request.user.get_username() if pitch in past_cap else ""
            enqueue_pitch_evaluate_again(pitch.pk, past_cap_by=by)
            queued += 1
        if past_cap and not confirmed:
            for refusal in sorted({str(refusals[pitch.pipeline_id]) for pitch in past_cap}):
                messages.error(request, refusal)
        self.message_user(request, f"Queued {queued} pitches for a new evaluation (each starts when its "
                                   "pipeline has a free slot; the rest wait as new)."
                          + (f" {len(past_cap)} not started: their pipeline reached its daily spend cap."
                             if past_cap and not confirmed else ""))
        if queued:
            warn_if_no_worker(request)

    @admin.action(description="Retry the Salesforce write-back", permissions=["retry_writeback"])
    def retry_writeback(self, request, queryset):
        count = writeback_retry(pitch_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"Queued {count} write-backs (only failed ones are retried).")
        warn_if_no_worker(request)


@admin.register(Deck)
class DeckAdmin(admin.ModelAdmin):
    """Each deck version read for the pitches: whether the model got it, and why not. Written only by
    the pipeline (pipelines.services.decks): read-only here."""

    list_display = ("title", "version_number", "file_type", "status", "pages", "sent_as", "downloads", "uploads",
                    "created_at")
    list_filter = ("status", "file_type", "sent_as")
    search_fields = ("title", "content_version_id", "content_document_id", "record_id")
    exclude = ("text",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
