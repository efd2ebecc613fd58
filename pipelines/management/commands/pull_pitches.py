from django.core.management.base import BaseCommand, CommandError

from pipelines.models import Pipeline
from pipelines.services.intake import pitches_pull


class Command(BaseCommand):
    help = "Run one intake pass now: read new pitch records from Salesforce and start their runs."

    def add_arguments(self, parser):
        parser.add_argument("--pipeline", help="Pipeline name (default: every enabled pipeline)")

    def handle(self, *args, pipeline=None, **options):
        pipelines = Pipeline.objects.filter(name=pipeline) if pipeline else Pipeline.objects.filter(enabled=True)
        if pipeline and not pipelines:
            names = ", ".join(Pipeline.objects.values_list("name", flat=True)) or "none"
            raise CommandError(f"No pipeline is named {pipeline!r} (known: {names}).")
        failed = []
        for p in pipelines:
            summary = pitches_pull(pipeline_id=p.pk)
            self.stdout.write(f"{p.name}: {summary}")
            if summary.error:
                failed.append(p.name)
        if failed:  # a script or cron job running this must see the failure, not only read it
            raise CommandError(f"The intake pass failed for {', '.join(failed)} (see above).")
