"""manage.py dataset_import: a frozen dataset from JSONL written by dataset_export."""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError

from evaluations.services.datasets import InvalidDataset, dataset_import


class Command(BaseCommand):
    help = "Create a frozen dataset from a JSONL file (one item a line, as dataset_export writes them)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--name", required=True, help="The new dataset's name (unique).")
        parser.add_argument("--description", default="")

    def handle(self, *args, file, name, description="", **options):
        try:
            with open(file, encoding="utf-8") as lines:
                dataset = dataset_import(name=name, lines=lines, created_by=getpass.getuser(),
                                         description=description)
        except OSError as exc:
            raise CommandError(f"{file!r}: {exc.strerror}.") from exc
        except InvalidDataset as exc:
            raise CommandError(f"{file!r}: {exc}") from exc
        self.stdout.write(f"Dataset {dataset.pk} {dataset.name!r}: {dataset.item_count} items imported, frozen.")
