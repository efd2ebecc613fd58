"""Runs in the admin: read-only history with their tool calls; cancel, re-run, retry the completion
handler and export, each under its own permission (Run.Meta.permissions)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from console.activity import RecordedActions
from console.admin.common import HistoryAdmin, confirm_past_limit, has_perm, warn_if_no_worker
from console.admin.exports import export_jsonl
from console.formatting import when
from console.run_rows import run_row, with_row_facts
from console.timeline import may_see_pitches
from vicbot.models import Run, ToolCall
from vicbot.runs import StartRefused, run_cancel, run_rerun, run_retry_completion
from vicbot.selectors import FAILED_CALL_STATUSES


class ToolFailedFilter(admin.SimpleListFilter):
    """Runs with a tool call that failed or timed out: any tool, or one by name (the dashboard's
    "Failures by reason" links here)."""

    title = "tool calls"
    parameter_name = "tool_failed"

    def lookups(self, request, model_admin):
        names = ToolCall.objects.filter(status__in=FAILED_CALL_STATUSES).values_list("name", flat=True)
        return [("any", "some failed"), *((name, f"{name} failed") for name in sorted(set(names)))]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        failed = ToolCall.objects.filter(status__in=FAILED_CALL_STATUSES)
        if self.value() != "any":
            failed = failed.filter(name=self.value())
        return queryset.filter(pk__in=failed.values("run_id"))


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
    # What an operator scans for, at 1280 px without clipped columns. The pitch column is shown only to
    # users who may view pitches (get_list_display). Rows of runs in progress refresh themselves
    # (console/static/console/runs_live.js polls console:runs-live for the ids it sees).
    # Tokens are on the run's page; the run's number is in its status link ("#12 Succeeded").
    list_display = ("live_status", "pitch", "assessment", "duration", "tool_call_count", "cost", "created")
    list_display_links = ("live_status",)
    list_filter = ("status", ToolFailedFilter, "trigger", "completion_state", "assistant__name")
    search_fields = ("id", "response_id", "input", "error_message")
    date_hierarchy = "created_at"
    inlines = [ToolCallInline]
    # Shown once, at the top of the run's page (console.timeline.errors), not again under "All fields".
    exclude = ("error_message", "first_error", "refusal", "completion_error")
    actions = ["cancel_runs", "rerun_runs", "retry_completion", export_jsonl]
    list_select_related = ("assistant",)

    class Media:
        js = ("console/runs_live.js",)
        css = {"all": ("console/console.css",)}

    def get_queryset(self, request):
        return with_row_facts(super().get_queryset(request))

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return shown if may_see_pitches(request.user) else tuple(c for c in shown if c != "pitch")

    def _row(self, obj) -> dict:
        cached = getattr(obj, "_console_row", None)
        if cached is None:
            # The pitch column itself is left out for users who may not view pitches (get_list_display).
            cached = obj._console_row = run_row(obj, show_pitch=True)
        return cached

    def _cell(self, obj, field: str, text) -> str:
        """A cell the live script can refresh: it names its run and the row field it shows."""
        row = self._row(obj)
        if row["is_terminal"]:
            return format_html('<span data-field="{}">{}</span>', field, text)
        return format_html('<span class="run-live" data-run="{}" data-field="{}" data-live-url="{}">{}</span>',
                           obj.pk, field, reverse("console:runs-live"), text)

    @admin.display(description="run", ordering="id")
    def live_status(self, obj):
        row = self._row(obj)
        code = format_html(' <span class="error-code">({})</span>', row["error_code"]) if row["error_code"] else ""
        return format_html("#{} {}{}", obj.pk, self._cell(obj, "status_label", row["status_label"]), code)

    @admin.display(description="pitch")
    def pitch(self, obj):
        pitches = self._row(obj)["pitches"]
        if not pitches:
            return "—"
        return format_html_join(", ", '<a href="{}">{}</a>', ((p["url"], p["name"]) for p in pitches))

    @admin.display(description="assessment")
    def assessment(self, obj):
        return self._cell(obj, "assessment", self._row(obj)["assessment"])

    @admin.display(description="duration")
    def duration(self, obj):
        return self._cell(obj, "duration", self._row(obj)["duration"])
    # Actions that queue work for a worker (see response_action).
    queueing_actions = ("rerun_runs", "retry_completion", "cancel_runs")

    @admin.display(description="tool calls", ordering="call_count")
    def tool_call_count(self, obj):
        row = self._row(obj)
        failed = format_html(' <strong class="tool-failed" data-field="tool_failed">{}</strong>',
                             row["tool_failed"]) if row["tool_failed"] else ""
        return format_html("{}{}", self._cell(obj, "tool_calls", row["tool_calls"]), failed)

    @admin.display(description="tokens")
    def tokens(self, obj):
        return self._cell(obj, "tokens", self._row(obj)["tokens"])

    @admin.display(description="cost", ordering="cost_usd")
    def cost(self, obj) -> str:
        return self._cell(obj, "cost", self._row(obj)["cost"])

    @admin.display(description="created", ordering="created_at")
    def created(self, obj) -> str:
        return when(obj.created_at)

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
