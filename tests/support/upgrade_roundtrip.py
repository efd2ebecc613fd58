"""Run as a script on a scratch database: the schema main had before issue 17, rows in every
state (runs in every status, some in flight with real responses at the OpenAI emulator), then
every migration there is now; prints what was kept. tests/test_migrations.py then starts a
worker on the database and watches the runs that were in flight finish.

`python -m tests.support.upgrade_roundtrip` with DATABASE_URL naming an empty database and
OPENAI_BASE_URL / OPENAI_API_KEY the emulator's. A separate process, as in migration_roundtrip.
"""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core.serializers.json import DjangoJSONEncoder  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402
from django.utils import timezone  # noqa: E402

# The landed main before issue 17; django_celery_beat at its latest (added below).
BEFORE_ISSUE_17 = [("pipelines", "0010_pitch_set_aside_and_pause_pitch"), ("vicbot", "0017_tool_call_refused"),
                   ("auth", "0012_alter_user_first_name_max_length")]
# The rows compared before and after, by model.
KEPT = [("vicbot", "Assistant"), ("vicbot", "Run"), ("vicbot", "ToolCall"), ("vicbot", "WebhookEvent"),
        ("vicbot", "SuggestedChange"), ("pipelines", "Pipeline"), ("pipelines", "Pitch"),
        ("django_celery_beat", "PeriodicTask")]
IN_FLIGHT = ("pending", "waiting_model", "running_tools", "finishing")
# Columns an upgrade folded into another, on purpose: (model.column) -> the column that now says it.
FOLDED = {"pipelines.Pipeline.pause_kind": "state"}  # pipelines 0012: systemic -> paused, spend_cap -> ...
PITCH_EVALUATED = "pipelines.pitch_evaluated"  # the handler key as stored on the rows


def choices(model, field: str) -> list[str]:
    """Every value the field could hold at that schema (the historical model keeps its choices)."""
    return [value for value, _ in model._meta.get_field(field).choices]


def emulator_response(run_values: dict, assistant_values: dict, *, tools: list[str]) -> dict:
    """The run's first turn at the OpenAI emulator, created exactly as the engine would and let finish."""
    from integrations.openai import get_client
    from tools.registry import registry
    from vicbot.models import Assistant, Run
    from vicbot.services.runs.request import next_turn_request

    run = Run(assistant=Assistant(**assistant_values), **run_values,
              tool_definitions=[registry().get(name).openai_definition() for name in tools])
    client = get_client()
    response = client.responses.create(**next_turn_request(run))
    deadline = time.monotonic() + 60
    while response.status in ("queued", "in_progress") and time.monotonic() < deadline:
        time.sleep(0.05)  # the emulator answers within its run_seconds; polled, as the engine would
        response = client.responses.retrieve(response.id)
    assert response.status == "completed", response
    return {"id": response.id, "tool_definitions": run.tool_definitions,
            "calls": [item.call_id for item in response.output if item.type == "function_call"],
            "call_names": [item.name for item in response.output if item.type == "function_call"]}


def write_rows_in_every_state(apps) -> dict:
    Assistant, Run, ToolCall = (apps.get_model("vicbot", name) for name in ("Assistant", "Run", "ToolCall"))
    WebhookEvent, SuggestedChange = apps.get_model("vicbot", "WebhookEvent"), apps.get_model("vicbot", "SuggestedChange")
    Pipeline, Pitch = apps.get_model("pipelines", "Pipeline"), apps.get_model("pipelines", "Pitch")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    from tests.support.runs import VERDICT_SCHEMA

    now = timezone.now()
    assistant_values = {"name": "tester", "instructions": "Assess the pitch. Use the tools.",
                        "tool_names": ["test_lookup"], "output_schema_name": "verdict",
                        "output_schema": VERDICT_SCHEMA, "max_turns": 4, "run_deadline_seconds": 600}
    assistant = Assistant.objects.create(**assistant_values)
    pipeline = Pipeline.objects.create(name="upgrade", sobject="Account", selection="Id != null",
                                       fields=["Name", "Description"], assistant_name="tester",
                                       answer_mapping={"Assessment": "VicBot_Assessment__c"})
    every = IntervalSchedule.objects.get_or_create(every=60, period="seconds")[0]
    pipeline.schedule = PeriodicTask.objects.create(name="Pull pitches: upgrade", task="vicbot.pull_pitches",
                                                    interval=every, kwargs=json.dumps({"pipeline_id": pipeline.pk}),
                                                    enabled=False)  # no intake pass against nothing
    pipeline.save()
    paused = Pipeline.objects.create(
        name="paused", sobject="Account", selection="Id != null", fields=["Name"], assistant_name="tester",
        answer_mapping={"Assessment": "VicBot_Assessment__c"}, paused_at=now - timedelta(minutes=3),
        pause_kind="systemic", pause_reason="Run 0: OpenAI said 401", probe_at=now + timedelta(days=1),
        pause_probes=2, daily_spend_cap_usd=Decimal("5.00"),
    )

    runs, in_flight, ids = {}, [], iter(range(1, 1000))
    pitch_statuses = choices(Pitch, "status")
    for status in choices(Run, "status"):
        values = {"model": "gpt-5.4-mini", "status": status, "input": f"Company {status}: Acme",
                  "metadata": {"pipeline": pipeline.name}, "completion_handler": PITCH_EVALUATED,
                  "deadline_at": now + timedelta(hours=1), "trigger": "schedule"}
        if status in IN_FLIGHT:
            values |= {"next_check_at": now - timedelta(seconds=1), "completion_state": "not_due",
                       "started_at": now - timedelta(seconds=30), "reserved_cost_usd": Decimal("0.010000")}
        else:
            values |= {"finished_at": now, "completion_state": "done", "cost_usd": Decimal("0.012345"),
                       "error_code": "" if status == "succeeded" else f"{status}_code",
                       "output_json": {"Assessment": "Strong fit", "Reasoning": "Team"} if status == "succeeded"
                       else None}
        run = Run.objects.create(assistant=assistant, **values)
        # The response the engine had created before the deploy (none yet for a pending run).
        if status in ("waiting_model", "running_tools", "finishing"):
            # Already finished at the emulator: the run learns it at its first poll after the upgrade.
            answer = emulator_response({"pk": run.pk, **values}, assistant_values,
                                       tools=["test_lookup"] if status == "running_tools" else [])
            Run.objects.filter(pk=run.pk).update(turn=1, response_id=answer["id"], response_ids=[answer["id"]],
                                                 tool_definitions=answer["tool_definitions"])
            if status == "running_tools":
                assert answer["calls"], "the emulator's model asked for no tool"
                Run.objects.filter(pk=run.pk).update(previous_response_id=answer["id"])
                for call_id, name, call_status in zip(answer["calls"], answer["call_names"],
                                                      ["running", "pending", "pending", "pending"]):
                    ToolCall.objects.create(run=run, turn=1, call_id=call_id, name=name, status=call_status,
                                            arguments=json.dumps({"company": "Acme"}),
                                            started_at=now - timedelta(minutes=5) if call_status == "running"
                                            else None)
        runs[status] = run.pk
        if status in IN_FLIGHT:
            in_flight.append(run.pk)
        # Each run's pitch: the in-flight ones evaluating, the ended ones in every other status in turn.
        pitch_status = "evaluating" if status in IN_FLIGHT else pitch_statuses[len(runs) % len(pitch_statuses)]
        pitch = Pitch.objects.create(pipeline=pipeline, salesforce_id=f"001{next(ids):012d}AAA",
                                     name=f"Acme ({status})", status=pitch_status, latest_run=run,
                                     next_attempt_at=now + timedelta(days=1) if pitch_status == "retry_waiting"
                                     else None,
                                     snapshot={"Name": f"Acme ({status})"}, attempts=1,
                                     system_modstamp=now - timedelta(days=1))
        pitch.runs.add(run)
        Run.objects.filter(pk=run.pk).update(metadata={**values["metadata"], "pitch": str(pitch.pk),
                                                       "salesforce_id": pitch.salesforce_id})

    # Every pitch status and every write-back state, on pitches of the paused pipeline.
    for status in pitch_statuses:
        for writeback_state in choices(Pitch, "writeback_state"):
            Pitch.objects.create(pipeline=paused, salesforce_id=f"001{next(ids):012d}AAA", status=status,
                                 writeback_state=writeback_state, name=f"{status}/{writeback_state}",
                                 snapshot={"Name": "x", "Description": "O'Brien \u00e9"},
                                 writeback_values={"VicBot_Assessment__c": "Strong fit"} if writeback_state != "not_due"
                                 else {}, attempt_log=[{"run": runs["failed"], "code": "failed_code"}],
                                 error="an error" if status in ("failed", "rejected") else "",
                                 next_writeback_at=now + timedelta(days=1) if writeback_state == "queued" else None,
                                 next_attempt_at=now + timedelta(days=1) if status == "retry_waiting" else None)
    # Every tool call status, on the run that ended well (one more per status than the in-flight run has).
    for number, status in enumerate(choices(ToolCall, "status")):
        # PitchBook lookups whose output says what each spent, as its usage does (what vicbot's 0021 tells
        # the credits from: a call whose output disagrees would be corrected, a changed value here).
        ToolCall.objects.create(run_id=runs["succeeded"], turn=1, call_id=f"call_{number}",
                                name="pitchbook_company_find", arguments="{}",
                                output=json.dumps({"status": status, "credits_spent": number}), status=status,
                                attempts=1, usage={"pitchbook_credits": number})
    for number, event_state in enumerate(("processed", "retrying", "given up")):
        WebhookEvent.objects.create(
            webhook_id=f"wh_{number}", event_type="response.completed", response_id=f"resp_{number}",
            processed_at=now if event_state == "processed" else None, attempts=0 if number == 0 else 2,
            next_attempt_at=now + timedelta(hours=1) if event_state == "retrying" else None,
            failed_at=now if event_state == "given up" else None, error="" if number == 0 else "boom")
    for status in choices(SuggestedChange, "status"):
        SuggestedChange.objects.create(run_id=runs["succeeded"], sobject="Contact", fields={"LastName": status},
                                       reason=f"suggested ({status})", status=status,
                                       decided_at=None if status == "pending" else now)
    return {"runs": runs, "in_flight": in_flight, "paused_pipeline": paused.pk, "pipeline": pipeline.pk}


def rows(apps) -> dict[str, dict[str, dict]]:
    """Every row of KEPT, by model and pk, as JSON values."""
    dump = {}
    for app_label, name in KEPT:
        model = apps.get_model(app_label, name)
        dump[f"{app_label}.{name}"] = {str(row["id"]): json.loads(json.dumps(row, cls=DjangoJSONEncoder))
                                       for row in model.objects.order_by("pk").values()}
    return dump


def compare(before: dict, after: dict) -> dict:
    """Rows missing after the upgrade, columns gone, and values that changed (model.pk.column)."""
    missing, gone, changed = [], set(), []
    for model, old_rows in before.items():
        for pk, old in old_rows.items():
            new = after.get(model, {}).get(pk)
            if new is None:
                missing.append(f"{model}.{pk}")
                continue
            for column, value in old.items():
                if column not in new:
                    if f"{model}.{column}" not in FOLDED:
                        gone.add(f"{model}.{column}")
                elif new[column] != value:
                    changed.append(f"{model}.{pk}.{column}: {value!r} -> {new[column]!r}")
    return {"missing": missing, "columns_gone": sorted(gone), "changed": changed,
            "counts": {model: [len(before[model]), len(after.get(model, {}))] for model in before}}


def main() -> None:
    from tests.support.beat_rows import rows_a_task_would_refuse

    executor = MigrationExecutor(connection)
    beat_latest = [node for node in executor.loader.graph.leaf_nodes() if node[0] == "django_celery_beat"]
    before_targets = BEFORE_ISSUE_17 + beat_latest
    executor.migrate(before_targets)
    before_apps = executor.loader.project_state(before_targets).apps
    # An install upgraded from main before issue 17 made its default pipeline before vicbot 0004 marked its
    # schedule (the mark lets a fresh install lose the old default cap): such an install keeps its number.
    before_apps.get_model("django_celery_beat", "PeriodicTask").objects.update(description="")
    written = write_rows_in_every_state(before_apps)
    statuses = {"run": choices(before_apps.get_model("vicbot", "Run"), "status"),
                "tool_call": choices(before_apps.get_model("vicbot", "ToolCall"), "status"),
                "pitch": choices(before_apps.get_model("pipelines", "Pitch"), "status"),
                "writeback": choices(before_apps.get_model("pipelines", "Pitch"), "writeback_state")}
    before = rows(before_apps)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    executor = MigrationExecutor(connection)
    after = rows(executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps)

    from pipelines.models import Pipeline
    from pipelines.selectors import pipelines_paused_or_failing

    print(json.dumps({
        "written": written, "statuses": statuses, "compare": compare(before, after),
        "unapplied": [str(node) for node in executor.migration_plan(executor.loader.graph.leaf_nodes())],
        "paused_after": [p.pk for p in pipelines_paused_or_failing()],
        "paused_reason": Pipeline.objects.get(pk=written["paused_pipeline"]).pause_reason,
        "paused_state": Pipeline.objects.get(pk=written["paused_pipeline"]).state,
        "beat_rows_refused": rows_a_task_would_refuse(),
    }))


if __name__ == "__main__":
    main()
