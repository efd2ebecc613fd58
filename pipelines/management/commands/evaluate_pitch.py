import getpass
import json
import time

from django.core.management.base import BaseCommand, CommandError

from integrations.salesforce import SalesforceError
from pipelines.management.arguments import positive_seconds, salesforce_id
from pipelines.models import Pipeline, Pitch
from pipelines.services.manual import SpendCapReached, pitch_evaluate_now
from vicbot.runs import Run, RunStatus


class Command(BaseCommand):
    help = ("Evaluate one Salesforce record now (again, if it was evaluated before; earlier runs are kept), "
            "within its pipeline's daily spend cap and in-flight limit.")

    def add_arguments(self, parser):
        parser.add_argument("salesforce_id", type=salesforce_id, help="The record's 15- or 18-character Salesforce id.")
        parser.add_argument("--pipeline", default="default", help="Name of the pipeline to evaluate it with "
                                                                   "(default: %(default)s).")
        parser.add_argument("--wait", action="store_true", help="Wait for the run to end and print its answer")
        parser.add_argument("--timeout", type=positive_seconds, default=1800,
                            help="With --wait: seconds to wait before giving up (default: %(default)s).")
        parser.add_argument("--past-cap", action="store_true",
                            help="Start it even though the pipeline reached its daily spend cap (your "
                                 "explicit confirmation; recorded on the pitch with your user name).")

    def handle(self, salesforce_id, pipeline, wait, timeout, past_cap, **options):
        past_cap_by = f"{getpass.getuser()} (manage.py evaluate_pitch --past-cap)" if past_cap else ""
        try:
            pipe = Pipeline.objects.get(name=pipeline)
            run = pitch_evaluate_now(pipeline=pipe, salesforce_id=salesforce_id, past_cap_by=past_cap_by)
        except Pipeline.DoesNotExist:
            raise CommandError(f"No pipeline is named {pipeline!r}") from None
        except SpendCapReached as exc:
            raise CommandError(f"{exc} (here: --past-cap)") from None
        except (SalesforceError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        deadline = time.monotonic() + timeout
        if run is None:
            pitch = Pitch.objects.get(pipeline=pipe, salesforce_id__startswith=salesforce_id[:15])
            self.stdout.write(f"Pitch {pitch.pk} ({salesforce_id}) waits: {pitch.error}")
            if not wait:
                return
            run = self._wait_for(lambda: self._started(pitch), deadline)
            if run is None:
                raise CommandError(f"Pitch {pitch.pk} is still waiting for a slot after {timeout:g}s")
            self.stdout.write(f"Started run {run.pk} for {salesforce_id}")
        else:
            self.stdout.write(f"Started run {run.pk} for {salesforce_id}")
        if not wait:
            return
        if not self._wait_for(lambda: run.refresh_from_db() or run.is_terminal, deadline):
            raise CommandError(f"Run {run.pk} is still {run.status} after {timeout:g}s")
        self.stdout.write(f"Run {run.pk}: {run.status} {run.error_code} {run.error_message}".rstrip())
        if run.status == RunStatus.SUCCEEDED:
            self.stdout.write(json.dumps(run.output_json, indent=2, ensure_ascii=False))

    @staticmethod
    def _started(pitch: Pitch) -> Run | None:
        pitch.refresh_from_db()
        return pitch.latest_run if pitch.status != Pitch.Status.NEW and pitch.latest_run_id else None

    @staticmethod
    def _wait_for(condition, deadline: float):
        while time.monotonic() < deadline:
            if result := condition():
                return result
            time.sleep(1)
        return None
