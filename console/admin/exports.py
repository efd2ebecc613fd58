"""Exporting runs: the "Export as JSONL" action of the run list, and the record of every export."""

from __future__ import annotations

from django.contrib import admin
from django.http import StreamingHttpResponse
from django.utils import timezone

from console.admin.common import HistoryAdmin
from vicbot.models import RunExport
from vicbot.runs import TERMINAL_STATUSES, export_lines, run_export_log


@admin.action(description="Export the selected finished runs as JSONL", permissions=["export"])
def export_jsonl(model_admin, request, queryset):
    """The selected finished runs, streamed as a download. It needs its own permission
    (vicbot.export_run: runs hold pitch data) and each export is recorded (RunExport)."""
    runs = queryset.filter(status__in=TERMINAL_STATUSES).order_by("finished_at", "pk")
    # Recorded before the download starts: a download cut short still took what it took.
    run_ids = list(runs.values_list("pk", flat=True))
    run_export_log(run_count=len(run_ids), source="admin", user=request.user, filters={"run_ids": run_ids[:1000]})
    response = StreamingHttpResponse(export_lines(runs), content_type="application/x-ndjson; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="vicbot-runs-{stamp}.jsonl"'
    return response


@admin.register(RunExport)
class RunExportAdmin(HistoryAdmin):
    """Every export of runs, from the admin or `manage.py export_runs`: written by the export only."""

    list_display = ("exported_at", "exported_by", "source", "run_count")
    list_filter = ("source",)
    search_fields = ("exported_by",)
    fields = readonly_fields = ("exported_at", "exported_by", "user", "source", "run_count", "filters")
