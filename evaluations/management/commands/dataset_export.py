"""manage.py dataset_export: a dataset as JSONL, one item a line (the run export's fields plus the decision)."""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError

from evaluations.models import Dataset
from evaluations.services.datasets import dataset_export_lines
from vicbot.runs import run_export_log


class Command(BaseCommand):
    help = "Write a dataset's items as JSONL (each export is recorded, as items hold pitch data)."

    def add_arguments(self, parser):
        parser.add_argument("dataset", type=int, help="The dataset's id.")
        parser.add_argument("--output", "-o", help="Write to this file instead of standard output.")

    def handle(self, *args, dataset, output=None, **options):
        found = Dataset.objects.filter(pk=dataset).first()
        if found is None:
            raise CommandError(f"No dataset has the id {dataset}.")
        count = 0
        try:
            out = open(output, "w", encoding="utf-8") if output else self.stdout
        except OSError as exc:
            raise CommandError(f"--output {output!r}: {exc.strerror}.") from exc
        try:
            for line in dataset_export_lines(found):
                out.write(line) if output else out.write(line, ending="")
                count += 1
        finally:
            if output:
                out.close()
        run_export_log(run_count=count, source="dataset", exported_by=getpass.getuser(),
                       filters={"dataset": found.pk, "name": found.name})
        self.stderr.write(f"Wrote {count} items of dataset {found.name!r}" + (f" to {output}." if output else "."))
