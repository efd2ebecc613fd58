"""Pitches in the admin: history, read-only and never deleted; one status that agrees with the
write-back's; evaluate again, retry the write-back, skip or fail, each under its own permission
(Pitch.Meta.permissions) and through the pipeline's services."""

from __future__ import annotations

from django.contrib import admin, messages

from config.enqueue import enqueue_pitch_evaluate_again
from console.activity import RecordedActions
from console.admin.common import confirm_past_limit, warn_if_no_worker
from console.admin.return_to import ActionReturnsToPage
from console.formatting import when
from pipelines.models import Pitch
from pipelines.services.manual import PAST_CAP_PERMISSION, pipelines_past_cap
from pipelines.services.operator import OperatorRefused, pitch_fail, pitch_skip
from pipelines.services.writeback import writeback_retry

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


@admin.register(Pitch)
class PitchAdmin(ActionReturnsToPage, RecordedActions, admin.ModelAdmin):
    # Fits 1440 px; the whole error is on the pitch's page.
    list_display = ("name", "salesforce_id", "pipeline", "status_and_writeback", "assessment", "problem",
                    "updated")
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

    @admin.display(description="error")
    def problem(self, obj: Pitch) -> str:
        text = obj.writeback_error if obj.writeback_state == Pitch.WriteBack.FAILED else obj.error
        return text if len(text) <= 80 else text[:79] + "…"  # whole on the pitch's page

    @admin.display(description="updated", ordering="updated_at")
    def updated(self, obj: Pitch) -> str:
        return when(obj.updated_at)

    @admin.display(description="status", ordering="status")
    def status_and_writeback(self, obj: Pitch) -> str:
        return status_sentence(obj)

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
                title="Start past the daily spend cap?",
                intro="The pipeline refuses to start these evaluations now:",
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
