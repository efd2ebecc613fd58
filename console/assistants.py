"""Assistant versions: what changed between two, which one new runs use, and restoring an old one."""

from __future__ import annotations

import difflib
import json

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from console.activity import record_action
from vicbot.models import Assistant
from vicbot.runs import InvalidAssistant, assistant_save_new_version, assistant_validate

# Everything a version decides, in the order an operator reads it.
COMPARED = ("model", "instructions", "tool_names", "output_schema_name", "output_schema", "reasoning_effort",
            "service_tier", "max_output_tokens", "max_turns", "run_deadline_seconds", "write_tools", "open_browsing")


def _as_lines(value) -> list[str]:
    if isinstance(value, dict | list):
        value = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    return ("" if value is None else str(value)).splitlines()


def version_diff(old: Assistant, new: Assistant) -> list[dict]:
    """Per field that differs: unified-diff lines tagged add/del/hunk/same (text, escaped by the template)."""
    changes = []
    for field in COMPARED:
        before, after = _as_lines(getattr(old, field)), _as_lines(getattr(new, field))
        if before == after:
            continue
        lines = []
        for line in difflib.unified_diff(before, after, fromfile=f"v{old.version}", tofile=f"v{new.version}",
                                         lineterm="", n=3):
            if line.startswith(("---", "+++")):
                continue
            kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
            lines.append({"kind": kind, "text": line})
        changes.append({"field": Assistant._meta.get_field(field).verbose_name, "lines": lines})
    return changes


def assistant_page(assistant: Assistant) -> dict:
    versions = list(Assistant.objects.filter(name=assistant.name).order_by("-version")
                    .values_list("pk", "version", "created_at"))
    newest_pk = versions[0][0] if versions else assistant.pk
    newest_version = versions[0][1] if versions else assistant.version
    previous = next((pk for pk, version, _ in versions if version < assistant.version), None)
    return {
        "is_newest": assistant.pk == newest_pk,
        "newest_url": reverse("admin:vicbot_assistant_change", args=[newest_pk]),
        "newest_version": newest_version,
        "versions": [{"pk": pk, "version": version} for pk, version, _ in versions],
        "previous": previous,
        "diff_url": reverse("console:assistant-diff"),
        "restore_url": reverse("console:assistant-restore", args=[assistant.pk]),
    }


@require_GET
@staff_member_required
def assistant_diff(request):
    if not request.user.has_perm("vicbot.view_assistant"):
        raise PermissionDenied
    try:
        old_pk, new_pk = int(request.GET["a"]), int(request.GET["b"])
    except (KeyError, ValueError):
        return HttpResponseBadRequest("Choose two versions: ?a=<id>&b=<id>")
    old, new = get_object_or_404(Assistant, pk=old_pk), get_object_or_404(Assistant, pk=new_pk)
    if old.version > new.version:
        old, new = new, old
    context = {
        **admin.site.each_context(request), "title": (f"{old.name} v{old.version} → v{new.version}" if old.name == new.name
                  else f"{old} → {new}"),
        "old": old, "new": new, "changes": version_diff(old, new),
        "versions": Assistant.objects.filter(name__in={old.name, new.name}).order_by("name", "-version"),
        "newest": {name: Assistant.objects.current(name).pk for name in {old.name, new.name}},
    }
    return render(request, "console/assistant_diff.html", context)


@require_POST
@staff_member_required
def assistant_restore(request, assistant_id: int):
    """Save an old version's configuration as the newest version (history is never rewritten)."""
    if not request.user.has_perm("vicbot.change_assistant"):
        raise PermissionDenied
    old = get_object_or_404(Assistant, pk=assistant_id)
    try:
        # Checked again: the tool registry may have changed since that version was saved.
        assistant_validate(tool_names=old.tool_names, output_schema=old.output_schema,
                           output_schema_name=old.output_schema_name)
    except InvalidAssistant as exc:
        messages.error(request, f"v{old.version} cannot be restored as it is: {exc}")
        return redirect("admin:vicbot_assistant_change", old.pk)
    with transaction.atomic():
        restored = assistant_save_new_version(assistant=Assistant.objects.get(pk=old.pk))
    told = f"Saved v{old.version}'s configuration as {restored}: new runs use it."
    record_action(request, [restored], f"Rolled back to v{old.version} → {told}")
    messages.success(request, told)
    return redirect("admin:vicbot_assistant_change", restored.pk)
