from django.core.management.base import BaseCommand, CommandError

from pipelines.management.arguments import positive_int
from pipelines.models import Pitch
from pipelines.services.writeback import writeback_retry


class Command(BaseCommand):
    help = "Queue failed Salesforce write-backs again (all of them, or the given pitch ids)."

    def add_arguments(self, parser):
        parser.add_argument("pitch_ids", nargs="*", type=positive_int, metavar="PITCH_ID",
                            help="Ids of pitches (as in the admin) whose failed write-back to retry; none: every one.")

    def handle(self, pitch_ids, **options):
        if pitch_ids:
            unknown = sorted(set(pitch_ids) - set(Pitch.objects.filter(pk__in=pitch_ids).values_list("pk", flat=True)))
            if unknown:
                raise CommandError(f"No pitch has the id {', '.join(map(str, unknown))}.")
            not_failed = list(Pitch.objects.filter(pk__in=pitch_ids).exclude(writeback_state=Pitch.WriteBack.FAILED)
                              .values_list("pk", "writeback_state"))
            for pk, state in not_failed:
                self.stderr.write(f"Pitch {pk}: its write-back is {state}, not failed; left alone.")
        else:
            pitch_ids = list(Pitch.objects.filter(writeback_state=Pitch.WriteBack.FAILED).values_list("pk", flat=True))
        self.stdout.write(f"Queued {writeback_retry(pitch_ids=pitch_ids)} write-backs again.")
