"""manage.py dataset_freeze: freeze a pipeline's past pitches into a dataset to evaluate versions on."""

from __future__ import annotations

import getpass

from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from evaluations.services.datasets import FreezeFilters, InvalidDataset, dataset_freeze


def moment_value(option: str, text: str) -> datetime:
    """A date (midnight) or a date and time; naive ones in the default time zone (UTC)."""
    moment = parse_datetime(text)
    if moment is None and (day := parse_date(text)) is not None:
        moment = datetime.combine(day, time.min)
    if moment is None:
        raise CommandError(f"{option} {text!r}: expected a date (2026-11-30) or a date and time (2026-11-30T09:00).")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, timezone.get_default_timezone())


class Command(BaseCommand):
    help = ("Freeze past pitches of a pipeline into a dataset: for each, the input its recorded run sent, every "
            "tool call's arguments and output, the partners' decision now and the pitch's date. Immutable once "
            "frozen. The recorded run is the pitch's latest succeeded one (of --assistant-version if given).")

    def add_arguments(self, parser):
        parser.add_argument("name", help="The dataset's name (unique).")
        parser.add_argument("--pipeline", required=True)
        parser.add_argument("--since", help="Pitches that arrived on or after this date or time (UTC).")
        parser.add_argument("--until", help="...and before this one.")
        parser.add_argument("--decided-only", action="store_true",
                            help="Only pitches the partners decided (advance or pass).")
        parser.add_argument("--assistant-version", type=int, help="Freeze runs of this assistant version.")
        parser.add_argument("--description", default="")

    def handle(self, *args, name, pipeline, since=None, until=None, decided_only=False, assistant_version=None,
               description="", **options):
        filters = FreezeFilters(pipeline=pipeline, since=moment_value("--since", since) if since else None,
                                until=moment_value("--until", until) if until else None, decided_only=decided_only,
                                assistant_version=assistant_version)
        try:
            dataset = dataset_freeze(name=name, filters=filters, created_by=getpass.getuser(),
                                     description=description)
        except InvalidDataset as exc:
            raise CommandError(str(exc)) from exc
        decided = dataset.items.exclude(decision="undecided").count()
        self.stdout.write(f"Dataset {dataset.pk} {dataset.name!r}: {dataset.item_count} pitches frozen "
                          f"({decided} decided by the partners).")
