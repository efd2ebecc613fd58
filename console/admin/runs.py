"""Runs in the admin: read-only history with their tool calls; cancel, re-run, retry the completion
handler and export, each under its own permission (Run.Meta.permissions)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html

from console.activity import RecordedActions
from console.admin.common import HistoryAdmin, confirm_past_limit, has_perm, warn_if_no_worker
from console.admin.exports import export_jsonl
from vicbot.models import Run, ToolCall
from vicbot.runs import StartRefused, run_cancel, run_rerun, run_retry_completion


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
class RunAdmin(RecordedActions, HistoryAdmin):
    # At 1440 px without clipped columns: times to the second, money in dollars.
    list_display = ("id", "status", "assistant", "turn", "tool_call_count", "tokens", "cost", "error_code",
                    "created")
    list_filter = ("status", "trigger", "completion_state", "assistant__name")
    search_fields = ("id", "response_id", "input", "error_message")
    date_hierarchy = "created_at"
    inlines = [ToolCallInline]
    actions = ["cancel_runs", "rerun_runs", "retry_completion", export_jsonl]
    list_select_related = ("assistant",)
    # Actions that queue work for a worker (see response_action).
    queueing_actions = ("rerun_runs", "retry_completion", "cancel_runs")

    @admin.display(description="tool calls")
    def tool_call_count(self, obj):
        return obj.tool_calls.count()

    @admin.display(description="tokens in/out")
    def tokens(self, obj):
        return format_html("{} / {}", obj.input_tokens, obj.output_tokens)

    @admin.display(description="cost", ordering="cost_usd")
    def cost(self, obj) -> str:
        if obj.cost_usd is None:
            return "—"
        return f"${obj.cost_usd:,.4f}" if obj.cost_usd < 1 else f"${obj.cost_usd:,.2f}"

    @admin.display(description="created", ordering="created_at")
    def created(self, obj) -> str:
        return timezone.localtime(obj.created_at).strftime("%Y-%m-%d %H:%M:%S")

    def response_action(self, request, queryset):
        response = super().response_action(request, queryset)
        if request.POST.get("action") in self.queueing_actions:
            warn_if_no_worker(request)
        return response

    # Each action is offered (and run) only for users holding its permission; see Run.Meta.permissions.
    def has_cancel_permission(self, request):
        return has_perm(request, "vicbot.cancel_run")

    def has_rerun_permission(self, request):
        return has_perm(request, "vicbot.rerun_run")

    def has_retry_completion_permission(self, request):
        return has_perm(request, "vicbot.retry_run_completion")

    def has_export_permission(self, request):
        return has_perm(request, "vicbot.export_run")

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
                if not (confirmed and exc.override_permission and has_perm(request, exc.override_permission)):
                    refused.append((old, exc))
                    continue
                run = run_rerun(run_id=old.pk, confirmed_by=request.user.get_username())
            if run is None:
                waiting += 1
            else:
                new.append(run)
        overridable = [(old, exc) for old, exc in refused
                       if exc.override_permission and has_perm(request, exc.override_permission)]
        if new or waiting:
            self.message_user(request, f"Started runs {', '.join(str(r.pk) for r in new) or 'none'}."
                              + (f" {waiting} wait for a free slot in their pipeline." if waiting else ""))
        if overridable and not confirmed:
            return confirm_past_limit(
                request, self, action="rerun_runs", ids=[old.pk for old, _ in overridable],
                items=[f"a re-run of run {old.pk}" for old, _ in overridable],
                reasons=sorted({str(exc) for _, exc in overridable}),
                checkbox_label=f"Start {len(overridable)} runs past the limit.",
                title="Start past the limit?", intro="Their owner refuses to start these runs now:",
            )
        for message in sorted({str(exc) for _, exc in refused}):
            messages.error(request, message)
        if not (new or waiting or refused):
            self.message_user(request, "Started runs none.")

    @admin.action(description="Retry the completion handler", permissions=["retry_completion"])
    def retry_completion(self, request, queryset):
        retried = sum(run_retry_completion(run_id=run.pk) for run in queryset)
        self.message_user(request, f"Queued {retried} completion handlers (only failed ones are retried).")
