"""Assistants in the admin: an edit is saved as the next version (runs in flight keep theirs), tools
are checkboxes from the tool registry, and the version new runs use is marked."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages

from tools.registry import registry
from vicbot.models import Assistant
from vicbot.runs import (InvalidAssistant, assistant_model_check, assistant_save_new_version,
                         assistant_validate)


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


class AssistantForm(forms.ModelForm):
    """The checks are the service's (assistant_validate, assistant_model_check); the form places
    each problem on its field."""

    class Meta:
        model = Assistant
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        if any(name in self.errors for name in ("tool_names", "output_schema", "output_schema_name")):
            return cleaned  # not even JSON: the field's own error says so
        try:
            assistant_validate(
                tool_names=[] if cleaned.get("tool_names") is None else cleaned["tool_names"],
                output_schema=cleaned.get("output_schema"),
                output_schema_name=cleaned.get("output_schema_name", ""),
            )
        except InvalidAssistant as exc:
            for field, problems in exc.problems.items():
                for problem in problems:
                    self.add_error(field, problem)
        self.model_note = ""
        if not self.errors:
            try:
                self.model_note = assistant_model_check(cleaned.get("model") or settings.OPENAI_MODEL)
            except InvalidAssistant as exc:
                self.add_error("model", exc.problems["model"][0])
        return cleaned


@admin.register(Assistant)
class AssistantAdmin(admin.ModelAdmin):
    form = AssistantForm
    list_display = ("name", "version", "is_newest", "model", "service_tier", "max_turns", "created_at")
    list_filter = ("name",)
    readonly_fields = ("version", "created_at")

    def save_model(self, request, obj, form, change):
        # History must not change: an edit becomes the next version.
        assistant_save_new_version(assistant=obj)
        if note := getattr(form, "model_note", ""):
            messages.warning(request, note)
        if change:
            messages.info(request, f"Saved as {obj}; runs in flight keep their version.")

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.runs.exists()

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
