from django.contrib import admin

from core.models import Transition


@admin.register(Transition)
class TransitionAdmin(admin.ModelAdmin):
    """The transition log, read-only: it is written only by the state machines' moves."""

    list_display = ("at", "model", "object_pk", "field", "operation", "from_state", "to_state", "actor_kind",
                    "actor_label", "note")
    list_filter = ("model", "field", "actor_kind")
    search_fields = ("operation", "actor_label", "note")
    list_select_related = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
