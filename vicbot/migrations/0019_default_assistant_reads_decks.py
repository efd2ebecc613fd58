"""The default `vicbot` assistant reads the founders' deck first and cites its pages: a new version.

Assistants are immutable versions (runs pin theirs), so this adds version N+1 of `vicbot` with the
deck paragraph added to whatever instructions its latest version has (an operator's own wording is
kept). Runs already made keep the version they used. Reversed, that version is removed if no run
used it.
"""

from django.db import migrations

DECK_PARAGRAPH = """\
The deck: when the pitch comes with the founders' deck (a file, or its text), read it first, before
any tool: it is what the founders sent. Cite the page of every claim you take from it as
"deck p. N" (for example "ARR of $1.2M (deck p. 4)"). Treat the deck's claims like any other claim
to verify. When you are told the deck could not be read, or only its first pages were attached, say
so in your Reasoning.
"""
MARKER = '"deck p. N"'


def add_version(apps, schema_editor):
    Assistant = apps.get_model("vicbot", "Assistant")
    latest = Assistant.objects.filter(name="vicbot").order_by("-version").first()
    if latest is None or MARKER in latest.instructions:
        return
    instructions = latest.instructions
    anchor = "\nHow to judge:"
    if anchor in instructions:
        instructions = instructions.replace(anchor, "\n" + DECK_PARAGRAPH + anchor, 1)
    else:
        instructions = instructions.rstrip("\n") + "\n\n" + DECK_PARAGRAPH
    fields = {f.name: getattr(latest, f.name) for f in Assistant._meta.concrete_fields
              if f.name not in ("id", "version", "created_at", "instructions")}
    Assistant.objects.create(**fields, version=latest.version + 1, instructions=instructions)


def remove_version(apps, schema_editor):
    Assistant = apps.get_model("vicbot", "Assistant")
    latest = Assistant.objects.filter(name="vicbot").order_by("-version").first()
    if latest is not None and MARKER in latest.instructions and latest.version > 1 and not latest.runs.exists():
        latest.delete()


class Migration(migrations.Migration):
    dependencies = [("vicbot", "0018_run_input_items")]
    operations = [migrations.RunPython(add_version, remove_version)]
