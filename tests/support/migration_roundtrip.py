"""Run as a script on a scratch database: build yesterday's schema, fill it, migrate to today's, report.

`python -m tests.support.migration_roundtrip` with DATABASE_URL naming an empty database.
It prints one JSON object of what it found after migrating; tests/test_migrations.py
asserts on it. A separate process, so the migrations run on their own connection and
settings, exactly as `manage.py migrate` would on a deployed database.
"""

from __future__ import annotations

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402

# The last schema before Pipeline and Pitch moved to the `pipelines` app.
BEFORE_THE_MOVE = [("vicbot", "0005_pipeline_salesforce_calls"), ("auth", "0012_alter_user_first_name_max_length"),
                   ("django_celery_beat", "0019_alter_periodictasks_options")]
OLD_HANDLER_PATH = "vicbot.services.pitches.evaluation:pitch_run_completed"


def write_yesterdays_rows(apps) -> dict:
    Assistant = apps.get_model("vicbot", "Assistant")
    Run = apps.get_model("vicbot", "Run")
    ToolCall = apps.get_model("vicbot", "ToolCall")
    Pipeline = apps.get_model("vicbot", "Pipeline")
    Pitch = apps.get_model("vicbot", "Pitch")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    assistant = Assistant.objects.get(name="vicbot")  # from the data migration
    pipeline = Pipeline.objects.get(name="default")  # from the data migration, with its beat schedule
    from django.utils import timezone

    done = Run.objects.create(
        assistant=assistant, model="gpt-test", status="succeeded", input="Acme", deadline_at=timezone.now(),
        on_complete=OLD_HANDLER_PATH, output_json={"Assessment": "Strong fit", "Reasoning": "Good team"},
        completion_state="done", metadata={"pitch": "0"},
    )
    in_flight = Run.objects.create(
        assistant=assistant, model="gpt-test", status="waiting_model", input="Beta", deadline_at=timezone.now(),
        on_complete=OLD_HANDLER_PATH, response_id="resp_in_flight", metadata={"pitch": "0"},
    )
    ToolCall.objects.create(run=done, turn=1, call_id="call_1", name="web_scrape", arguments="{}", output="ok",
                            status="succeeded")
    answered = Pitch.objects.create(pipeline=pipeline, salesforce_id="001000000000001AAA", name="Acme O'Brien",
                                    status="written_back", writeback_state="done", assessment="Strong fit",
                                    reasoning="Good team", latest_run=done, snapshot={"Name": "Acme O'Brien"})
    answered.runs.add(done)
    waiting = Pitch.objects.create(pipeline=pipeline, salesforce_id="001000000000002AAA", name="Beta",
                                   status="evaluating", latest_run=in_flight, snapshot={"Name": "Beta"})
    waiting.runs.add(in_flight)
    Run.objects.filter(pk=in_flight.pk).update(metadata={"pitch": str(waiting.pk)})

    # Content types and a permission granted on them, as post_migrate made them before the move.
    pitch_type = ContentType.objects.create(app_label="vicbot", model="pitch")
    permission = Permission.objects.create(content_type=pitch_type, codename="view_pitch", name="Can view pitch")
    Group.objects.create(name="operators").permissions.add(permission)
    return {"runs": [done.pk, in_flight.pk], "pitches": [answered.pk, waiting.pk], "pipeline": pipeline.pk}


def read_todays_rows(before: dict) -> dict:
    from django.contrib.auth.models import Group
    from django_celery_beat.models import PeriodicTask

    from config.celery_app import app
    from pipelines.models import Pipeline, Pitch
    from pipelines.states import PITCH_STATES
    from vicbot.models import Run
    from vicbot.services.runs.handlers import completion_handler

    pipeline = Pipeline.objects.get(pk=before["pipeline"])
    answered, waiting = (Pitch.objects.get(pk=pk) for pk in before["pitches"])
    done, in_flight = (Run.objects.get(pk=pk) for pk in before["runs"])
    schedule = PeriodicTask.objects.get(pk=pipeline.schedule_id)
    app.loader.import_default_modules()  # what a worker does at start: registers every app's tasks
    # Working, not just present: the in-flight run's handler is found by its key and takes its answer.
    Run.objects.filter(pk=in_flight.pk).update(status="succeeded", output_json={"Assessment": "Possible fit",
                                                                                 "Reasoning": "Early"})
    in_flight.refresh_from_db()
    with transaction.atomic():  # as the engine calls it: inside the transaction that ends the run
        completion_handler(in_flight.completion_handler)(in_flight, in_flight.status)
    waiting.refresh_from_db()
    return {
        "tables": sorted(t for t in connection.introspection.table_names() if "pitch" in t or "pipeline" in t),
        "pipeline": [pipeline.name, pipeline.fields, pipeline.answer_mapping],
        "schedule": [schedule.task, schedule.task in app.tasks, json.loads(schedule.kwargs)],
        "answered": [answered.name, answered.status, answered.writeback_state, answered.assessment,
                     answered.latest_run_id, list(answered.runs.values_list("pk", flat=True))],
        "completion_handlers": [done.completion_handler, in_flight.completion_handler],
        "tool_calls": done.tool_calls.count(),
        "after_handler": [waiting.status, waiting.assessment, waiting.writeback_state],
        "state_machine_moves": PITCH_STATES.apply(answered.pk, "record_changed"),
        "operators_can": sorted(Group.objects.get(name="operators").permissions.values_list(
            "content_type__app_label", "codename")),
    }


def main() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_THE_MOVE)
    before = write_yesterdays_rows(executor.loader.project_state(BEFORE_THE_MOVE).apps)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    print(json.dumps({"before": before, "after": read_todays_rows(before)}))


if __name__ == "__main__":
    main()
