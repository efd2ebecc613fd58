"""Pieces of the operator's console that the engine's admin classes use (kept apart from admin.py
so the permission rules there and the presentation here can change independently)."""

from __future__ import annotations

import json

from django import forms

from django.contrib import admin, messages
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from tools.registry import registry
from vicbot.models import TERMINAL_STATUSES, Assistant
from vicbot.services.export import export_lines, run_export_log
from vicbot.services.heartbeats import NO_WORKER_WARNING, a_worker_is_alive


class ToolNamesField(forms.MultipleChoiceField):
    """Tools as checkboxes, one per registered tool (plus any stored name no longer registered).

    Which names are allowed is the service's decision (assistant_validate names unknown ones),
    so the field itself accepts any; a single JSON list (what the raw-JSON form posted) is read too.
    """

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "The tools the model may call (from the tool registry).")
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, list | tuple) and len(value) == 1 and str(value[0]).lstrip().startswith("["):
            value = value[0]
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.lstrip().startswith("[") else [value]
            except ValueError:
                value = [value]
        return [str(item) for item in (value or [])]

    def valid_value(self, value) -> bool:
        return True

    def prepare_value(self, value):
        if isinstance(value, str):
            return self.to_python(value)
        return value


def tool_choices(stored: list[str] | None = None) -> list[tuple[str, str]]:
    names = list(registry().names())
    names += [name for name in (stored or []) if name not in names]
    return [(name, name) for name in names]


class AssistantConsoleMixin:
    """Marks the version new runs use, and offers tools as checkboxes."""

    @admin.display(description="new runs use it", boolean=True)
    def is_newest(self, obj: Assistant) -> bool:
        newest = getattr(self, "_newest_versions", None)
        if newest is None:
            newest = self._newest_versions = {}
        if obj.name not in newest:
            newest[obj.name] = Assistant.objects.current(obj.name).pk
        return newest[obj.name] == obj.pk

    def changelist_view(self, request, extra_context=None):
        self._newest_versions = {}  # one lookup per name per page
        return super().changelist_view(request, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        stored = list(obj.tool_names) if obj is not None and isinstance(obj.tool_names, list) else []
        form.base_fields["tool_names"] = ToolNamesField(choices=tool_choices(stored), label="Tools")
        return form



def confirm_past_limit(request, model_admin, *, action: str, ids: list, items: list[str], reasons: list[str],
                       checkbox_label: str) -> TemplateResponse:
    """The intermediate page of an action a run's owner refused (e.g. a pipeline past its daily spend
    cap), for a user holding the permission the refusal names: they tick a box to confirm."""
    return TemplateResponse(request, "admin/confirm_past_limit.html", {
        **model_admin.admin_site.each_context(request),
        "title": "Start past the limit?", "opts": model_admin.model._meta,
        "intro": "Their owner refuses to start these runs now:", "action": action, "ids": ids,
        "items": items, "reasons": reasons, "checkbox_label": checkbox_label,
    })


class RunExportMixin:
    """"Export as JSONL": the selected finished runs, streamed as a download. It needs its own
    permission (vicbot.export_run: runs hold pitch data) and each export is recorded (RunExport)."""

    @admin.action(description="Export the selected finished runs as JSONL", permissions=["export"])
    def export_jsonl(self, request, queryset):
        runs = queryset.filter(status__in=TERMINAL_STATUSES).order_by("finished_at", "pk")
        # Recorded before the download starts: a download cut short still took what it took.
        run_ids = list(runs.values_list("pk", flat=True))
        run_export_log(run_count=len(run_ids), source="admin", user=request.user,
                       filters={"run_ids": run_ids[:1000]})
        response = StreamingHttpResponse(export_lines(runs), content_type="application/x-ndjson; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="vicbot-runs-{stamp}.jsonl"'
        return response


class QueuedWorkWarningMixin:
    """An action that queued work says so plainly when no worker is there to do it."""

    queueing_actions = ("rerun_runs", "retry_completion", "cancel_runs")

    def response_action(self, request, queryset):
        response = super().response_action(request, queryset)
        if request.POST.get("action") in self.queueing_actions and not a_worker_is_alive():
            messages.warning(request, NO_WORKER_WARNING)
        return response


class RunListMixin:
    """The run list at 1440 px without clipped columns: times to the second, money in dollars."""

    def get_list_display(self, request):
        return ("id", "status", "assistant", "turn", "tool_call_count", "tokens", "cost", "error_code", "created")

    @admin.display(description="cost", ordering="cost_usd")
    def cost(self, obj) -> str:
        if obj.cost_usd is None:
            return "—"
        return f"${obj.cost_usd:,.4f}" if obj.cost_usd < 1 else f"${obj.cost_usd:,.2f}"

    @admin.display(description="created", ordering="created_at")
    def created(self, obj) -> str:
        return timezone.localtime(obj.created_at).strftime("%Y-%m-%d %H:%M:%S")
