from django.core.management.base import BaseCommand

from pipelines.models import Pitch
from pipelines.services.writeback import writeback_retry


class Command(BaseCommand):
    help = "Queue failed Salesforce write-backs again (all of them, or the given pitch ids)."

    def add_arguments(self, parser):
        parser.add_argument("pitch_ids", nargs="*", type=int)

    def handle(self, pitch_ids, **options):
        if not pitch_ids:
            pitch_ids = list(Pitch.objects.filter(writeback_state=Pitch.WriteBack.FAILED).values_list("pk", flat=True))
        self.stdout.write(f"Queued {writeback_retry(pitch_ids=pitch_ids)} write-backs again.")
