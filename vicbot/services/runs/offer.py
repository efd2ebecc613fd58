"""What a run offers the model, decided in the worker at the run's first turn.

Whoever starts a run (a pipeline's admission, an operator's Re-run in the web process, a
command) records only what it asks for; the tools are resolved here, where every integration's
settings are (the web process may lack PitchBook's or Salesforce's: a Re-run there offered 1
of 6 tools). Frozen once, so every turn of the run is identical.
"""

from __future__ import annotations

from django.utils import timezone

from tools.registry import registry
from vicbot.models import Run


def run_offer_tools(run: Run) -> None:
    """Freeze the tools `run` offers (once; a run that has them already is left as it is)."""
    if run.tools_offered_at is not None or run.turn > 0:
        return  # frozen: every turn offers what the first did
    version = run.assistant
    names = version.tool_names if run.tools_requested is None else run.tools_requested
    reg = registry()
    if run.replay_calls is not None:
        # Nothing runs in a replay, so a tool's integration need not be configured to be offered.
        offered = [tool for tool in (reg.get(name) for name in names) if not tool.writes]
    else:
        offered = reg.offered(names, allow_writes=version.write_tools and not run.read_only)
    definitions = [tool.openai_definition() for tool in offered]
    Run.objects.filter(pk=run.pk, tools_offered_at__isnull=True).update(tool_definitions=definitions,
                                                                         tools_offered_at=timezone.now())
    # As stored (jsonb orders keys its own way), so the first turn sends byte for byte what every later one does.
    run.refresh_from_db(fields=["tool_definitions", "tools_offered_at"])
