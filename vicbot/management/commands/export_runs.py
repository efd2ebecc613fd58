"""manage.py export_runs: finished runs as JSONL (one run per line), streamed."""

from __future__ import annotations

from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from vicbot.models import TERMINAL_STATUSES, Assistant
from vicbot.services.export import export_runs_jsonl, run_export_log, runs_for_export


def since_value(text: str) -> datetime:
    moment = parse_datetime(text)
    if moment is None and (day := parse_date(text)) is not None:
        moment = datetime.combine(day, time.min)
    if moment is None:
        raise CommandError(f"--since {text!r}: expected a date (2026-11-30) or a date and time (2026-11-30T09:00).")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, timezone.get_default_timezone())


class Command(BaseCommand):
    help = ("Write finished runs as JSONL, one run per line: input, each turn's tool calls and outputs, answer, "
            "usage, cost, assistant version and outcome. Streams, so any number of runs fits in little memory.")

    def add_arguments(self, parser):
        parser.add_argument("--since", help="Only runs finished at or after this date or time (UTC), "
                                            "e.g. 2026-11-01 or 2026-11-01T09:00.")
        parser.add_argument("--assistant", help="Only runs of the assistant with this name (any version).")
        parser.add_argument("--status", choices=[str(s) for s in TERMINAL_STATUSES],
                            help="Only runs that ended this way.")
        parser.add_argument("--output", "-o", help="Write to this file instead of standard output.")

    def handle(self, *args, since=None, assistant=None, status=None, output=None, **options):
        moment = since_value(since) if since else None
        if assistant and not Assistant.objects.filter(name=assistant).exists():
            names = ", ".join(sorted(set(Assistant.objects.values_list("name", flat=True)))) or "none"
            raise CommandError(f"--assistant {assistant!r}: no assistant has that name (known: {names}).")
        runs = runs_for_export(since=moment, assistant=assistant, status=status)
        if output:
            try:
                with open(output, "w", encoding="utf-8") as out:
                    count = export_runs_jsonl(runs, out=out)
            except OSError as exc:
                raise CommandError(f"--output {output!r}: {exc.strerror}.") from exc
            self.stderr.write(f"Wrote {count} runs to {output}.")
        else:
            count = export_runs_jsonl(runs, out=self.stdout)  # each line ends in its newline already
            self.stderr.write(f"Wrote {count} runs.")
        filters = {"since": since, "assistant": assistant, "status": status, "output": output}
        run_export_log(run_count=count, source="command", exported_by=_os_user(),
                       filters={k: v for k, v in filters.items() if v})


def _os_user() -> str:
    """Who ran the command, as the operating system knows them ("command" when it cannot say)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (some containers)
        return "command"
