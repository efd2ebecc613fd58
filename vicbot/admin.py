"""The operator's console: runs are read-only history; actions call services and need their own permission."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html

from vicbot.capacity import throttle_now
# The console's presentation (checkboxes, newest mark, export); permissions stay here.
from vicbot.console_admin import (
    AssistantConsoleMixin,
    QueuedWorkWarningMixin,
    RunExportMixin,
    RunListMixin,
    confirm_past_limit,
)
from vicbot.models import Assistant, ModelCapacity, ModelPrice, Run, ToolCall, WebhookEvent, WorkerHeartbeat
from vicbot.services.capacity import in_flight_allowance
from vicbot.services.assistants import InvalidAssistant, assistant_save_new_version, assistant_validate
from vicbot.services.runs.cancel import run_cancel
from vicbot.services.runs.completion import run_retry_completion
from vicbot.services.runs.handlers import StartRefused
from vicbot.services.runs.start import run_rerun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class HistoryAdmin(ReadOnlyAdmin):
    """What happened, kept as it happened: no one deletes it here, not even a superuser
    (which also removes the bulk "delete selected" action)."""

    def has_delete_permission(self, request, obj=None):
        return False


def _has(request, codename: str) -> bool:
    return request.user.has_perm(codename)


class AssistantForm(forms.ModelForm):
    class Meta:
        model = Assistant
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        if any(name in self.errors for name in ("tool_names", "output_schema", "output_schema_name")):
            return cleaned  # not even JSON: the field's own error says so
        try:
            assistant_validate(
                tool_names=[] if cleaned.get("tool_names") is None else cleaned["tool_names"],
                output_schema=cleaned.get("output_schema"),
                output_schema_name=cleaned.get("output_schema_name", ""),
            )
        except InvalidAssistant as exc:
            for field, problems in exc.problems.items():
                for problem in problems:
                    self.add_error(field, problem)
        return cleaned


@admin.register(Assistant)
class AssistantAdmin(AssistantConsoleMixin, admin.ModelAdmin):
    form = AssistantForm
    list_display = ("name", "version", "is_newest", "model", "service_tier", "max_turns", "created_at")
    list_filter = ("name",)
    readonly_fields = ("version", "created_at")

    def save_model(self, request, obj, form, change):
        # History must not change: an edit becomes the next version.
        assistant_save_new_version(assistant=obj)
        if change:
            messages.info(request, f"Saved as {obj}; runs in flight keep their version.")

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.runs.exists()


class ToolCallInline(admin.TabularInline):
    model = ToolCall
    extra = 0
    can_delete = False
    fields = ("turn", "name", "status", "duration_ms", "arguments", "output_preview", "error")
    readonly_fields = fields

    def output_preview(self, obj):
        return obj.output[:500] + ("…" if len(obj.output) > 500 else "")

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # tool calls are part of their run's history


@admin.register(Run)
class RunAdmin(RunListMixin, QueuedWorkWarningMixin, RunExportMixin, HistoryAdmin):
    list_display = ("id", "assistant", "status", "trigger", "turn", "tool_call_count", "tokens", "cost_usd",
                    "error_code", "completion_state", "created_at")
    list_filter = ("status", "trigger", "completion_state", "assistant__name")
    search_fields = ("id", "response_id", "input", "error_message")
    date_hierarchy = "created_at"
    inlines = [ToolCallInline]
    actions = ["cancel_runs", "rerun_runs", "retry_completion", "export_jsonl"]
    list_select_related = ("assistant",)

    @admin.display(description="tool calls")
    def tool_call_count(self, obj):
        return obj.tool_calls.count()

    @admin.display(description="tokens in/out")
    def tokens(self, obj):
        return format_html("{} / {}", obj.input_tokens, obj.output_tokens)

    # Each action is offered (and run) only for users holding its permission; see Run.Meta.permissions.
    def has_cancel_permission(self, request):
        return _has(request, "vicbot.cancel_run")

    def has_rerun_permission(self, request):
        return _has(request, "vicbot.rerun_run")

    def has_retry_completion_permission(self, request):
        return _has(request, "vicbot.retry_run_completion")

    @admin.action(description="Cancel the selected runs", permissions=["cancel"])
    def cancel_runs(self, request, queryset):
        cancelled = sum(run_cancel(run_id=run.pk) for run in queryset)
        self.message_user(request, f"Cancelled {cancelled} of {queryset.count()} runs (ended ones are left alone).")

    @admin.action(description="Re-run (a new run; the old one is kept)", permissions=["rerun"])
    def rerun_runs(self, request, queryset):
        """A pitch's run is re-run as a new evaluation of its pitch, under its pipeline's rules: it may
        wait for a slot, or be refused past the daily spend cap. A user holding the permission the
        refusal names may confirm it on an intermediate page; their name is recorded with the start."""
        confirmed = request.POST.get("past_limit_confirmed") == "yes"
        new, waiting, refused = [], 0, []
        for old in queryset:
            try:
                run = run_rerun(run_id=old.pk)
            except StartRefused as exc:
                if not (confirmed and exc.override_permission and _has(request, exc.override_permission)):
                    refused.append((old, exc))
                    continue
                run = run_rerun(run_id=old.pk, confirmed_by=request.user.get_username())
            if run is None:
                waiting += 1
            else:
                new.append(run)
        overridable = [(old, exc) for old, exc in refused
                       if exc.override_permission and _has(request, exc.override_permission)]
        if new or waiting:
            self.message_user(request, f"Started runs {', '.join(str(r.pk) for r in new) or 'none'}."
                              + (f" {waiting} wait for a free slot in their pipeline." if waiting else ""))
        if overridable and not confirmed:
            return confirm_past_limit(
                request, self, action="rerun_runs", ids=[old.pk for old, _ in overridable],
                items=[f"a re-run of run {old.pk}" for old, _ in overridable],
                reasons=sorted({str(exc) for _, exc in overridable}),
                checkbox_label=f"Start {len(overridable)} runs past the limit.",
            )
        for message in sorted({str(exc) for _, exc in refused}):
            messages.error(request, message)
        if not (new or waiting or refused):
            self.message_user(request, "Started runs none.")

    @admin.action(description="Retry the completion handler", permissions=["retry_completion"])
    def retry_completion(self, request, queryset):
        retried = sum(run_retry_completion(run_id=run.pk) for run in queryset)
        self.message_user(request, f"Queued {retried} completion handlers (only failed ones are retried).")


@admin.register(ModelPrice)
class ModelPriceAdmin(admin.ModelAdmin):
    list_display = ("model", "input_per_million", "cached_input_per_million", "output_per_million", "updated_at")


@admin.register(ModelCapacity)
class ModelCapacityAdmin(ReadOnlyAdmin):
    """OpenAI's latest reading per model and what 429s made of it. Written by the OpenAI client only;
    deleting a row forgets the model's throttle (each process records the limits again within a minute)."""

    list_display = ("model", "requests_per_minute", "tokens_per_minute", "remaining_requests", "remaining_tokens",
                    "read_at", "throttle_now", "throttled_at", "rate_limited_count", "allowance")
    fields = readonly_fields = list_display

    @admin.display(description="Throttle now")
    def throttle_now(self, obj):
        return f"{throttle_now(obj.throttle, obj.throttled_at, timezone.now()):.0%}"

    @admin.display(description="In-flight allowance")
    def allowance(self, obj):
        return in_flight_allowance(obj.model)


@admin.register(WebhookEvent)
class WebhookEventAdmin(HistoryAdmin):
    list_display = ("webhook_id", "event_type", "response_id", "received_at")
    search_fields = ("webhook_id", "response_id")


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    # Not history: a decommissioned worker's row may be removed.
    list_display = ("hostname", "last_seen_at")
