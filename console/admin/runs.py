"""The operator's console: runs are read-only history; actions call services and need their own permission."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from vicbot.capacity import throttle_now
# The console's presentation (checkboxes, newest mark, export); permissions stay here.
from vicbot.console_admin import (
    AssistantConsoleMixin,
    QueuedWorkWarningMixin,
    RunExportMixin,
    RunListMixin,
    confirm_past_limit,
)
from vicbot.models import (Assistant, ModelCapacity, ModelPrice, Run, RunExport, SuggestedChange, ToolCall,
                           WebhookEvent, WorkerHeartbeat)
from vicbot.services.capacity import in_flight_allowance
from vicbot.services.assistants import (InvalidAssistant, assistant_model_check, assistant_save_new_version,
                                       assistant_validate)
from vicbot.services.runs.cancel import run_cancel
from vicbot.services.runs.completion import run_retry_completion
from vicbot.services.heartbeats import NO_WORKER_WARNING, a_worker_is_alive
from vicbot.services.runs.handlers import StartRefused
from vicbot.services.runs.start import run_rerun
from vicbot.services.suggested_changes import (
    RejectionNeedsAReason,
    suggested_change_approve,
    suggested_change_reject,
)


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
        self.model_note = ""
        if not self.errors:
            try:
                self.model_note = assistant_model_check(cleaned.get("model") or settings.OPENAI_MODEL)
            except InvalidAssistant as exc:
                self.add_error("model", exc.problems["model"][0])
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
        if note := getattr(form, "model_note", ""):
            messages.warning(request, note)
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

    def has_export_permission(self, request):
        return _has(request, "vicbot.export_run")

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
    list_display = ("webhook_id", "event_type", "response_id", "received_at", "processed_at", "attempts",
                    "next_attempt_at", "failed_at", "error")
    list_filter = (("failed_at", admin.EmptyFieldListFilter), ("processed_at", admin.EmptyFieldListFilter))
    search_fields = ("webhook_id", "response_id")


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    # Not history: a decommissioned worker's row may be removed.
    list_display = ("hostname", "last_seen_at")


@admin.register(RunExport)
class RunExportAdmin(HistoryAdmin):
    """Every export of runs, from the admin or `manage.py export_runs`: written by the export only."""

    list_display = ("exported_at", "exported_by", "source", "run_count")
    list_filter = ("source",)
    search_fields = ("exported_by",)
    fields = readonly_fields = ("exported_at", "exported_by", "user", "source", "run_count", "filters")


class DecisionForm(ActionForm):
    decision_note = forms.CharField(
        required=False, label="Reason", max_length=1000,
        widget=forms.TextInput(attrs={"size": 40, "placeholder": "why (required to reject)"}),
    )


@admin.register(SuggestedChange)
class SuggestedChangeAdmin(HistoryAdmin):
    """Salesforce writes the model proposed but may not make: an operator approves (the worker writes
    it) or rejects (nothing is written), each recorded with who, when and why."""

    list_display = ("id", "status", "sobject", "target", "field_names", "run_link", "created_at", "decided_by_name",
                    "decided_at")
    list_filter = ("status", "sobject")
    search_fields = ("record_id", "applied_record_id", "=run__id")
    date_hierarchy = "created_at"
    list_select_related = ("run",)
    action_form = DecisionForm
    actions = ["approve_changes", "reject_changes"]
    fields = ("status", "sobject", "target", "changes", "reason", "run_link", "tool_call", "created_at",
              "decided_by_name", "decided_at", "decision_note", "applied_at", "applied_record_id", "apply_attempts",
              "apply_error")
    readonly_fields = fields

    @admin.display(description="record")
    def target(self, obj):
        return obj.record_id or "new"

    @admin.display(description="fields")
    def field_names(self, obj):
        return ", ".join(sorted(obj.fields)) if isinstance(obj.fields, dict) else ""

    @admin.display(description="run")
    def run_link(self, obj):
        return format_html('<a href="{}">Run {}</a>', reverse("admin:vicbot_run_change", args=[obj.run_id]),
                           obj.run_id)

    @admin.display(description="change (now → suggested)")
    def changes(self, obj):
        fields = obj.fields if isinstance(obj.fields, dict) else {}
        current = obj.current if isinstance(obj.current, dict) else {}
        rows = format_html_join("", "<tr><th>{}</th><td>{}</td><td>→ {}</td></tr>", (
            (name, "—" if current.get(name) in (None, "") else current[name], value)
            for name, value in sorted(fields.items())))
        return format_html('<table class="suggested-fields">{}</table>', rows)

    def has_review_permission(self, request):
        return _has(request, "vicbot.review_suggestedchange")

    @admin.action(description="Approve: write the selected changes to Salesforce", permissions=["review"])
    def approve_changes(self, request, queryset):
        note = request.POST.get("decision_note", "")
        approved = sum(suggested_change_approve(suggestion_id=pk, user=request.user, note=note)
                       for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"Approved {approved} of {queryset.count()} changes (rejected or written ones "
                                   "are left alone); the worker writes them: see each one's status.")
        if approved and not a_worker_is_alive():
            messages.warning(request, NO_WORKER_WARNING)

    @admin.action(description="Reject: write nothing (give a reason)", permissions=["review"])
    def reject_changes(self, request, queryset):
        note = request.POST.get("decision_note", "")
        try:
            rejected = sum(suggested_change_reject(suggestion_id=pk, user=request.user, note=note)
                           for pk in queryset.values_list("pk", flat=True))
        except RejectionNeedsAReason as exc:
            self.message_user(request, f"{exc}: nothing was rejected.", level=messages.ERROR)
            return
        self.message_user(request, f"Rejected {rejected} of {queryset.count()} changes (approved or written ones "
                                   "are left alone).")
