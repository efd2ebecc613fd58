"""The operator's console: runs are read-only history; actions call services."""

from django.contrib import admin, messages
from django.utils.html import format_html

from vicbot.models import Assistant, ModelPrice, Run, ToolCall, WebhookEvent, WorkerHeartbeat
from vicbot.services.assistants import assistant_save_new_version
from vicbot.services.runs.cancel import run_cancel
from vicbot.services.runs.completion import run_retry_completion
from vicbot.services.runs.start import run_rerun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Assistant)
class AssistantAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "model", "service_tier", "max_turns", "created_at")
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


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = ("id", "assistant", "status", "trigger", "turn", "tool_call_count", "tokens", "cost_usd",
                    "error_code", "completion_state", "created_at")
    list_filter = ("status", "trigger", "completion_state", "assistant__name")
    search_fields = ("id", "response_id", "input", "error_message")
    date_hierarchy = "created_at"
    inlines = [ToolCallInline]
    actions = ["cancel_runs", "rerun_runs", "retry_completion"]
    list_select_related = ("assistant",)

    @admin.display(description="tool calls")
    def tool_call_count(self, obj):
        return obj.tool_calls.count()

    @admin.display(description="tokens in/out")
    def tokens(self, obj):
        return format_html("{} / {}", obj.input_tokens, obj.output_tokens)

    @admin.action(description="Cancel the selected runs")
    def cancel_runs(self, request, queryset):
        cancelled = sum(run_cancel(run_id=run.pk) for run in queryset)
        self.message_user(request, f"Cancelled {cancelled} of {queryset.count()} runs (ended ones are left alone).")

    @admin.action(description="Re-run (a new run; the old one is kept)")
    def rerun_runs(self, request, queryset):
        new = [run_rerun(run_id=run.pk) for run in queryset]
        self.message_user(request, f"Started runs {', '.join(str(r.pk) for r in new)}.")

    @admin.action(description="Retry the completion handler")
    def retry_completion(self, request, queryset):
        retried = sum(run_retry_completion(run_id=run.pk) for run in queryset)
        self.message_user(request, f"Queued {retried} completion handlers (only failed ones are retried).")


@admin.register(ModelPrice)
class ModelPriceAdmin(admin.ModelAdmin):
    list_display = ("model", "input_per_million", "cached_input_per_million", "output_per_million", "updated_at")


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("webhook_id", "event_type", "response_id", "received_at")
    search_fields = ("webhook_id", "response_id")


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ("hostname", "last_seen_at")
