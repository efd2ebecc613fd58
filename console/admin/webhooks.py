"""The OpenAI webhooks received: history (processed, waiting for another attempt, or failed)."""

from __future__ import annotations

from django.contrib import admin

from console.admin.common import HistoryAdmin
from vicbot.models import WebhookEvent


@admin.register(WebhookEvent)
class WebhookEventAdmin(HistoryAdmin):
    list_display = ("webhook_id", "event_type", "response_id", "received_at", "processed_at", "attempts",
                    "next_attempt_at", "failed_at", "error")
    list_filter = (("failed_at", admin.EmptyFieldListFilter), ("processed_at", admin.EmptyFieldListFilter))
    search_fields = ("webhook_id", "response_id")
