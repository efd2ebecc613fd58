import json
import time

from django.core.management.base import BaseCommand, CommandError

from integrations.salesforce import SalesforceError
from pipelines.management.arguments import positive_seconds
from pipelines.models import Pipeline
from vicbot.runs import RunStatus
from pipelines.services.manual import pitch_evaluate_now


class Command(BaseCommand):
    help = "Evaluate one Salesforce record now (again, if it was evaluated before; earlier runs are kept)."

    def add_arguments(self, parser):
        parser.add_argument("salesforce_id", help="The record's 15- or 18-character Salesforce id.")
        parser.add_argument("--pipeline", default="default", help="Name of the pipeline to evaluate it with "
                                                                   "(default: %(default)s).")
        parser.add_argument("--wait", action="store_true", help="Wait for the run to end and print its answer")
        parser.add_argument("--timeout", type=positive_seconds, default=1800,
                            help="With --wait: seconds to wait before giving up (default: %(default)s).")

    def handle(self, salesforce_id, pipeline, wait, timeout, **options):
        try:
            pipe = Pipeline.objects.get(name=pipeline)
            run = pitch_evaluate_now(pipeline=pipe, salesforce_id=salesforce_id)
        except Pipeline.DoesNotExist:
            raise CommandError(f"No pipeline is named {pipeline!r}") from None
        except (SalesforceError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Started run {run.pk} for {salesforce_id}")
        if not wait:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.is_terminal:
                break
            time.sleep(1)
        else:
            raise CommandError(f"Run {run.pk} is still {run.status} after {timeout:g}s")
        self.stdout.write(f"Run {run.pk}: {run.status} {run.error_code} {run.error_message}".rstrip())
        if run.status == RunStatus.SUCCEEDED:
            self.stdout.write(json.dumps(run.output_json, indent=2, ensure_ascii=False))
