"""Who did what: every operator action is recorded as a Django admin LogEntry (so the admin's "Recent
actions" and each object's History show it), and the activity page merges those entries with the
state moves users made (core.Transition with an actor user), newest first, each linked to its object.

One mechanism: admin actions go through `RecordedActions.response_action`, which records the action,
the objects it was taken on and what it answered (the messages the operator saw); the console's own
views (e.g. an assistant's rollback) call `record_action`. Edits made with the admin's forms are
logged by Django itself (log_addition / log_change).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from console.formatting import when
from core.models import Transition

MESSAGE_CHARS = 2000


def record_action(request, objects: Iterable[models.Model], message: str) -> None:
    """One LogEntry per object: who (the request's user), when (now), what (`message`)."""
    objects = list(objects)
    if not objects or not request.user.is_authenticated:
        return
    LogEntry.objects.log_actions(user_id=request.user.pk, queryset=objects, action_flag=CHANGE,
                                 change_message=message[:MESSAGE_CHARS], single_object=len(objects) == 1)


class RecordedActions(admin.ModelAdmin):
    """A ModelAdmin whose actions are recorded: "<action>: <what the operator was told>" on each selected object.

    An intermediate page (a confirmation still to be ticked) is not an action taken, so it is not
    recorded; its confirmed submission is.
    """

    def response_action(self, request, queryset):
        action = request.POST.get("action", "")
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        storage = get_messages(request)
        shown_before = len(getattr(storage, "_queued_messages", []))
        response = super().response_action(request, queryset)
        if isinstance(response, TemplateResponse) or not action:
            return response
        if isinstance(response, HttpResponseRedirect) and not selected:
            return response  # nothing was selected: Django said so, nothing was done
        func = self.get_actions(request).get(action)
        if func is None:
            return response
        description = str(func[2])
        told = [str(message) for message in getattr(storage, "_queued_messages", [])[shown_before:]]
        objects = queryset if request.POST.get("select_across") == "1" else queryset.filter(pk__in=selected)
        record_action(request, objects, f"{description}" + (f" → {' '.join(told)}" if told else ""))
        return response


def _admin_url(label: str, pk) -> str:
    app_label, model_name = label.split(".")
    try:
        return reverse(f"admin:{app_label}_{model_name}_change", args=[pk])
    except NoReverseMatch:
        return ""


def activity_rows(*, limit: int = 200, user_id: int | None = None) -> list[dict]:
    """Recorded actions and user-made state moves, newest first."""
    entries = LogEntry.objects.select_related("user", "content_type").order_by("-action_time")
    moves = Transition.objects.filter(actor_user__isnull=False).select_related("actor_user").order_by("-at", "-pk")
    if user_id is not None:
        entries, moves = entries.filter(user_id=user_id), moves.filter(actor_user_id=user_id)
    rows = [{
        "at": entry.action_time, "who": entry.user.get_username() if entry.user else "",
        "what": entry.get_change_message() if entry.is_change() else
        ("Added" if entry.is_addition() else "Deleted") + (f": {entry.get_change_message()}" if entry.change_message else ""),
        "object": f"{entry.content_type.name if entry.content_type else ''} {entry.object_repr}".strip(),
        "url": (entry.get_admin_url() or "") if not entry.is_deletion() else "", "kind": "action",
    } for entry in entries[:limit]]
    rows += [{
        "at": move.at, "who": move.actor_user.get_username(),
        "what": f"{move.operation}: {move.from_state} → {move.to_state}" + (f" ({move.note})" if move.note else ""),
        "object": f"{move.model.split('.')[-1]} {move.object_pk}", "url": _admin_url(move.model, move.object_pk),
        "kind": "state move",
    } for move in moves[:limit]]
    rows.sort(key=lambda row: row["at"], reverse=True)
    for row in rows[:limit]:
        row["when"] = when(row["at"])
    return rows[:limit]


def object_activity(obj: models.Model, limit: int = 50) -> list[dict]:
    """The actions recorded on one object, newest first (for its page)."""
    from django.contrib.contenttypes.models import ContentType  # noqa: PLC0415

    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
                                      object_id=str(obj.pk)).select_related("user").order_by("-action_time")
    return [{"when": when(entry.action_time), "who": entry.user.get_username() if entry.user else "",
             "what": entry.get_change_message() or ("Added" if entry.is_addition() else "")}
            for entry in entries[:limit]]


# Who did what to every record: seeing it is the admin's own permission on its log.
ACTIVITY_PERMISSION = "admin.view_logentry"


@require_GET
@staff_member_required
def activity(request):
    if not request.user.has_perm(ACTIVITY_PERMISSION):
        raise PermissionDenied
    try:
        user_id = int(request.GET["user"]) if request.GET.get("user") else None
    except ValueError:
        user_id = None
    context = {**admin.site.each_context(request), "title": "Activity", "rows": activity_rows(user_id=user_id)}
    return render(request, "console/activity.html", context)
