"""Decks in the admin: each version of a record's deck that was read, whether the model got it and why
not. Written only by the pipeline (pipelines.services.decks): read-only here."""

from __future__ import annotations

from django.contrib import admin

from pipelines.models import Deck


@admin.register(Deck)
class DeckAdmin(admin.ModelAdmin):
    list_display = ("title", "version_number", "file_type", "status", "pages", "sent_as", "downloads", "uploads",
                    "created_at")
    list_filter = ("status", "file_type", "sent_as")
    search_fields = ("title", "content_version_id", "content_document_id", "record_id")
    exclude = ("text",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
