"""Recompute the PitchBook credits recorded before each tool call had its own usage.

Until then a turn's calls ran side by side sharing one usage dict, and each call recorded the
running total when it ended: credits were counted several times over and charged to tools that
spend none (a salesforce_person_save "spent" 3). Each call's own spend is told again from what
the call itself says:
- a tool that is not PitchBook's spends no PitchBook credits;
- a call that recorded nothing spent nothing (the shared total only grew);
- a PitchBook lookup that answered says what it cost in its output ("credits_spent").
Anything else (a PitchBook lookup that failed after spending) cannot be told: its usage is
emptied and flagged `usage_unknown`, and its run's `tool_usage_unknown` says the run's total
counts only the known calls. Runs' totals are then summed again from their calls.
"""

import json

from django.db import migrations

CREDITS = "pitchbook_credits"


def own_credits(name: str, output: str, recorded: int) -> int | None:
    """What this call spent, or None when nothing it recorded can tell."""
    if not recorded or not name.startswith("pitchbook_"):
        return 0
    try:
        spent = json.loads(output).get("credits_spent")
    except (ValueError, AttributeError):
        return None
    return spent if isinstance(spent, int) and spent >= 0 else None


def recompute(apps, schema_editor):
    ToolCall = apps.get_model("vicbot", "ToolCall")
    Run = apps.get_model("vicbot", "Run")
    touched_runs = set()
    for call in ToolCall.objects.filter(usage__has_key=CREDITS).only("pk", "run_id", "name", "output", "usage").iterator():
        recorded = call.usage.get(CREDITS) or 0
        spent = own_credits(call.name, call.output, recorded)
        if spent == recorded:
            continue
        usage = {k: v for k, v in call.usage.items() if k != CREDITS}
        if spent:
            usage[CREDITS] = spent
        ToolCall.objects.filter(pk=call.pk).update(usage=usage, usage_unknown=spent is None)
        touched_runs.add(call.run_id)
    for run_id in touched_runs:
        total: dict[str, int] = {}
        for usage in ToolCall.objects.filter(run_id=run_id).values_list("usage", flat=True):
            for unit, amount in (usage or {}).items():
                total[unit] = total.get(unit, 0) + amount
        unknown = ToolCall.objects.filter(run_id=run_id, usage_unknown=True).exists()
        # A run still going has no total yet (summed when it ends, the flag with it).
        Run.objects.filter(pk=run_id).exclude(tool_usage={}).update(
            tool_usage=total, tool_usage_unknown=unknown)


class Migration(migrations.Migration):

    dependencies = [
        ("vicbot", "0022_tool_usage_unknown"),
    ]

    operations = [
        migrations.RunPython(recompute, migrations.RunPython.noop),
    ]
