"""Salesforce writes the model proposed but may not make, for an operator to approve or reject."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from console.activity import RecordedActions
from console.admin.common import HistoryAdmin, has_perm, warn_if_no_worker
from vicbot.models import SuggestedChange
from vicbot.runs import RejectionNeedsAReason, suggested_change_approve, suggested_change_reject


class DecisionForm(ActionForm):
    decision_note = forms.CharField(
        required=False, label="Reason", max_length=1000,
        widget=forms.TextInput(attrs={"size": 40, "placeholder": "why (required to reject)"}),
    )


@admin.register(SuggestedChange)
class SuggestedChangeAdmin(RecordedActions, HistoryAdmin):
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
        return has_perm(request, "vicbot.review_suggestedchange")

    @admin.action(description="Approve: write the selected changes to Salesforce", permissions=["review"])
    def approve_changes(self, request, queryset):
        note = request.POST.get("decision_note", "")
        approved = sum(suggested_change_approve(suggestion_id=pk, user=request.user, note=note)
                       for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"Approved {approved} of {queryset.count()} changes (rejected or written ones "
                                   "are left alone); the worker writes them: see each one's status.")
        if approved:
            warn_if_no_worker(request)

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
