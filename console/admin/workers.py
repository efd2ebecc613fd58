"""The workers that reported in (the dashboard says which are alive)."""

from __future__ import annotations

from django.contrib import admin

from console.admin.common import ReadOnlyAdmin
from vicbot.models import WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    # Not history: a decommissioned worker's row may be removed.
    list_display = ("hostname", "last_seen_at")
