"""What several admin pages share: read-only history, the no-worker warning, the confirmation page
of a start past a limit. Actions need their own permission (declared on each model's Meta) and
change records only through services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.response import TemplateResponse

from console.admin.return_to import ActionReturnsToPage
from vicbot.runs import NO_WORKER_WARNING, a_worker_is_alive


class ReadOnlyAdmin(ActionReturnsToPage, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class HistoryAdmin(ReadOnlyAdmin):
    """What happened, kept as it happened: no one deletes it here, not even a superuser
    (which also removes the bulk "delete selected" action)."""

    def has_delete_permission(self, request, obj=None):
        return False


def has_perm(request, codename: str) -> bool:
    return request.user.has_perm(codename)


def warn_if_no_worker(request) -> None:
    """An action that queued work says so plainly when no worker is there to do it."""
    if not a_worker_is_alive():
        messages.warning(request, NO_WORKER_WARNING)


def confirm_past_limit(request, model_admin, *, action: str, ids: list, items: list[str], reasons: list[str],
                       checkbox_label: str, title: str, intro: str) -> TemplateResponse:
    """The intermediate page of an action a rule refused (e.g. a pipeline past its daily spend cap),
    for a user holding the permission the refusal names: they tick a box to confirm."""
    return TemplateResponse(request, "admin/confirm_past_limit.html", {
        **model_admin.admin_site.each_context(request),
        "title": title, "opts": model_admin.model._meta, "intro": intro, "action": action, "ids": ids,
        "items": items, "reasons": reasons, "checkbox_label": checkbox_label,
    })
