"""The evaluation lab's data: frozen datasets (read-only: they are what scores stand on) and the partners'
decisions intake recorded (history)."""

from __future__ import annotations

from django.contrib import admin

from console.admin.common import HistoryAdmin
from evaluations.models import Dataset, DatasetItem
from pipelines.models import Decision


class DatasetItemInline(admin.TabularInline):
    model = DatasetItem
    fields = ("position", "name", "salesforce_id", "pitch_date", "decision", "decision_value", "source_run",
              "source_assistant")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Dataset)
class DatasetAdmin(HistoryAdmin):
    list_display = ("name", "source", "pipeline", "item_count", "frozen", "frozen_at", "created_by")
    list_filter = ("source", "frozen")
    search_fields = ("name",)
    inlines = [DatasetItemInline]


@admin.register(Decision)
class DecisionAdmin(HistoryAdmin):
    list_display = ("pitch", "value", "outcome", "decided_at", "recorded_at")
    list_filter = ("outcome",)
    search_fields = ("pitch__name", "pitch__salesforce_id", "value")
    list_select_related = ("pitch",)
