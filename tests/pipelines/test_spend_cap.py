"""Spend stays under the daily cap on every path, and bulk actions respect the in-flight limit.

Through the real entry points: the admin client's actions, the command, intake and admission,
with the real worker and the OpenAI emulator.
"""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from config.enqueue import enqueue_pitch_evaluate_again
from pipelines.models import Pipeline, Pitch
from pipelines.services.admission import pitches_admit
from pipelines.services.intake import pitches_pull
from pipelines.services.pause import pipeline_pause
from tests.conftest import wait_for
from tests.support.pitches import add_accounts, make_pipeline, wait_until_written_back
from vicbot.models import TERMINAL_STATUSES, Assistant, ModelPrice, Run, RunStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]

PITCHES = "/admin/pipelines/pitch/"
RUNS = "/admin/vicbot/run/"


def act(client, url: str, action: str, ids: list[int], **extra):
    return client.post(url, {"action": action, "_selected_action": ids, **extra}, secure=True, follow=True)


def page_messages(response) -> str:
    return " ".join(str(message) for message in response.context["messages"]) if response.context else ""


def one_pitch_answered(salesforce) -> tuple[Pipeline, Pitch]:
    pipeline = make_pipeline()
    add_accounts(salesforce, 1)
    pitches_pull(pipeline_id=pipeline.pk)
    (pitch,) = wait_until_written_back(pipeline, 1)
    return pipeline, pitch


def dear_model() -> None:
    """Price the test assistant's model so that each of its runs costs well over a cent."""
    model = Assistant.objects.current("tester").effective_model
    ModelPrice.objects.update_or_create(model=model, defaults={
        "input_per_million": Decimal(100), "cached_input_per_million": Decimal(100),
        "output_per_million": Decimal(100)})


def test_a_zero_cap_refuses_evaluate_again_rerun_and_the_command_and_starts_nothing(
        salesforce, openai_emu, staff):
    pipeline, pitch = one_pitch_answered(salesforce)
    Pipeline.objects.filter(pk=pipeline.pk).update(daily_spend_cap_usd="0.00")
    runs_before = Run.objects.count()

    evaluator = staff("pipelines.view_pitch", "pipelines.evaluate_pitch")
    refused = act(evaluator, PITCHES, "evaluate_again", [pitch.pk])
    assert "reached its daily spend cap" in page_messages(refused) and "0 pitches" in page_messages(refused)

    rerunner = staff("vicbot.view_run", "vicbot.rerun_run")
    refused = act(rerunner, RUNS, "rerun_runs", [pitch.latest_run_id])
    assert "reached its daily spend cap" in page_messages(refused)
    assert b"past_limit_confirmed" not in refused.content  # no confirmation offered without the permission

    with pytest.raises(CommandError, match="reached its daily spend cap.*--past-cap"):
        call_command("evaluate_pitch", pitch.salesforce_id, "--pipeline", pipeline.name)

    # The cap reached between the click and the task: the task refuses too, and says so on the pitch.
    enqueue_pitch_evaluate_again(pitch.pk, after_commit=False)
    refused_pitch = wait_for(lambda: (p := Pitch.objects.get(pk=pitch.pk)).error and p, message="the refusal")
    assert "reached its daily spend cap" in refused_pitch.error

    assert Run.objects.count() == runs_before
    assert Pitch.objects.get(pk=pitch.pk).status == Pitch.Status.WRITTEN_BACK  # the earlier answer stands


def test_a_permitted_operator_who_ticks_the_confirmation_starts_one_past_the_cap_and_it_is_recorded(
        salesforce, openai_emu, staff):
    pipeline, pitch = one_pitch_answered(salesforce)
    Pipeline.objects.filter(pk=pipeline.pk).update(daily_spend_cap_usd="0.00")
    first_run = pitch.latest_run_id
    operator = staff("pipelines.view_pitch", "pipelines.change_pitch", "pipelines.evaluate_pitch",
                     "pipelines.evaluate_past_cap", "vicbot.view_run", "vicbot.rerun_run")

    page = act(operator, PITCHES, "evaluate_again", [pitch.pk])
    assert b"past_limit_confirmed" in page.content and b"reached its daily spend cap" in page.content
    unticked = act(operator, PITCHES, "evaluate_again", [pitch.pk], past_limit_submit="Start")
    assert b"past_limit_confirmed" in unticked.content  # asked again: nothing starts without the tick
    assert Run.objects.count() == 1

    act(operator, PITCHES, "evaluate_again", [pitch.pk],
        past_limit_submit="Start", past_limit_confirmed="yes")

    started = wait_for(lambda: (p := Pitch.objects.get(pk=pitch.pk)).latest_run_id != first_run and p,
                       message="the confirmed evaluation to start")
    (record,) = started.past_cap_starts
    assert record["run"] == started.latest_run_id and record["by"] == "staff0"
    assert "daily cap of $0.00" in record["spend"] and record["at"]
    pitch_page = operator.get(f"{PITCHES}{pitch.pk}/change/", secure=True).content.decode()
    assert "Started past the daily spend cap" in pitch_page and "staff0" in pitch_page

    # Re-run from the runs list: the same refusal, the same confirmation page, the same record.
    wait_until_written_back(pipeline, 1)
    second_run = Pitch.objects.get(pk=pitch.pk).latest_run_id
    page = act(operator, RUNS, "rerun_runs", [second_run])
    assert b"past_limit_confirmed" in page.content and Run.objects.count() == 2
    act(operator, RUNS, "rerun_runs", [second_run], past_limit_submit="Start", past_limit_confirmed="yes")
    rerun = Pitch.objects.get(pk=pitch.pk)
    assert rerun.latest_run_id not in (first_run, second_run) and Run.objects.count() == 3
    assert [entry["run"] for entry in rerun.past_cap_starts] == [second_run, rerun.latest_run_id]


def test_a_cent_cap_with_runs_costing_more_ends_within_one_run_of_the_cap(salesforce, openai_emu, settings):
    pipeline = make_pipeline(daily_spend_cap_usd=Decimal("0.01"))
    dear_model()
    add_accounts(salesforce, 3)

    # The first run reserves the default estimate, which leaves no room for a second.
    summary = pitches_pull(pipeline_id=pipeline.pk)

    assert (summary.new, summary.started) == (3, 1)
    (first,) = Run.objects.all()
    assert first.reserved_cost_usd == settings.VICBOT_RUN_COST_ESTIMATE_USD
    wait_until_written_back(pipeline, 1)
    pitches_admit(pipeline_id=pipeline.pk)  # the retry/probe/admission path: the cap is reached now

    runs = list(Run.objects.filter(pitches__pipeline=pipeline))
    spent = sum(run.cost_usd for run in runs)
    assert len(runs) == 1 and spent > Decimal("0.01")
    assert spent <= Decimal("0.01") + max(run.cost_usd for run in runs)
    paused = Pipeline.objects.get(pk=pipeline.pk)
    assert paused.state == "paused_for_spend" and "daily cap of $0.01" in paused.pause_reason
    assert pipeline.pitches.filter(status=Pitch.Status.NEW).count() == 2


def test_a_due_probe_waits_while_the_run_in_flight_has_reserved_what_the_cap_allows(salesforce, openai_emu):
    pipeline = make_pipeline(daily_spend_cap_usd=Decimal("0.05"))  # the default reservation: one run
    add_accounts(salesforce, 2)
    openai_emu.faults.add("create", outcome="slow", seconds=3)
    assert pitches_pull(pipeline_id=pipeline.pk).started == 1
    pipeline_pause(pipeline_id=pipeline.pk, reason="test: a systemic failure")
    Pipeline.objects.filter(pk=pipeline.pk).update(probe_at=timezone.now() - timedelta(seconds=1))

    # Nothing has cost anything yet, but the run in flight has committed the cap.
    assert pitches_admit(pipeline_id=pipeline.pk) == 0

    paused = Pipeline.objects.get(pk=pipeline.pk)
    assert paused.state == "paused_for_spend" and "reserved by runs in flight" in paused.pause_reason
    assert Run.objects.count() == 1


def test_evaluate_again_while_a_run_is_in_flight_cancels_it_as_superseded(salesforce, openai_emu, staff):
    pipeline = make_pipeline(max_in_flight=1)
    add_accounts(salesforce, 1)
    openai_emu.faults.add("create", outcome="slow", seconds=4)
    pitches_pull(pipeline_id=pipeline.pk)
    old = wait_for(lambda: Run.objects.filter(status=RunStatus.WAITING_MODEL).first(),
                   message="a run in flight")
    evaluator = staff("pipelines.view_pitch", "pipelines.evaluate_pitch")

    act(evaluator, PITCHES, "evaluate_again", list(pipeline.pitches.values_list("pk", flat=True)))

    (pitch,) = wait_until_written_back(pipeline, 1)
    old.refresh_from_db()
    assert (old.status, old.error_code) == (RunStatus.CANCELLED, "superseded")
    assert pitch.latest_run_id != old.pk and pitch.writeback_run_id == pitch.latest_run_id


def test_the_next_run_reserves_what_recent_runs_of_its_assistant_version_cost(salesforce, openai_emu):
    pipeline = make_pipeline()
    dear_model()
    add_accounts(salesforce, 1)
    pitches_pull(pipeline_id=pipeline.pk)
    (pitch,) = wait_until_written_back(pipeline, 1)
    cost = Run.objects.get(pk=pitch.latest_run_id).cost_usd

    call_command("evaluate_pitch", pitch.salesforce_id, "--pipeline", pipeline.name)

    newest = Run.objects.order_by("-pk").first()
    assert newest.pk != pitch.latest_run_id and newest.reserved_cost_usd == cost


def test_bulk_evaluate_again_of_six_pitches_on_a_pipeline_limited_to_one_never_evaluates_more_than_one(
        salesforce, openai_emu, staff):
    pipeline = make_pipeline(max_in_flight=0)  # intake records the six without starting them
    add_accounts(salesforce, 6)
    pitches_pull(pipeline_id=pipeline.pk)
    Pipeline.objects.filter(pk=pipeline.pk).update(max_in_flight=1)
    openai_emu.faults.add("create", outcome="slow", seconds=1.5, times=None)  # each run stays open a while
    evaluator = staff("pipelines.view_pitch", "pipelines.evaluate_pitch")
    seen = {"most_evaluating": 0, "most_runs_open": 0, "waiting_notes": set()}

    def all_answered_counting_meanwhile():
        evaluating = pipeline.pitches.filter(status=Pitch.Status.EVALUATING).count()
        runs = Run.objects.filter(pitches__pipeline=pipeline)
        open_runs = runs.exclude(status__in=TERMINAL_STATUSES).count()
        seen["most_evaluating"] = max(seen["most_evaluating"], evaluating)
        seen["most_runs_open"] = max(seen["most_runs_open"], open_runs)
        waiting = pipeline.pitches.filter(status=Pitch.Status.NEW, error__startswith="Waiting for a slot")
        seen["waiting_notes"] |= set(waiting.values_list("pk", flat=True))
        return pipeline.pitches.filter(status=Pitch.Status.WRITTEN_BACK).count() == 6

    response = act(evaluator, PITCHES, "evaluate_again", list(pipeline.pitches.values_list("pk", flat=True)))
    assert "Queued 6 pitches" in page_messages(response)

    wait_for(all_answered_counting_meanwhile, timeout=120, interval=0.05,
             message="all six answered and written")
    assert seen["most_evaluating"] == 1 and seen["most_runs_open"] == 1
    assert seen["waiting_notes"]  # the rest waited, visibly, as new with a note
    assert Run.objects.filter(pitches__pipeline=pipeline).count() == 6


def test_evaluate_pitch_past_the_cap_starts_only_with_past_cap_and_records_who(salesforce, openai_emu):
    pipeline, pitch = one_pitch_answered(salesforce)
    Pipeline.objects.filter(pk=pipeline.pk).update(daily_spend_cap_usd="0.00")
    out = StringIO()

    call_command("evaluate_pitch", pitch.salesforce_id, "--pipeline", pipeline.name, "--past-cap", stdout=out)

    started = Pitch.objects.get(pk=pitch.pk)
    assert started.latest_run_id != pitch.latest_run_id
    assert f"Started run {started.latest_run_id}" in out.getvalue()
    (record,) = started.past_cap_starts
    assert record["run"] == started.latest_run_id and "manage.py evaluate_pitch --past-cap" in record["by"]


def test_evaluate_pitch_on_a_full_pipeline_leaves_the_pitch_waiting_visibly(salesforce, openai_emu):
    pipeline = make_pipeline(max_in_flight=0)
    (record_id,) = add_accounts(salesforce, 1)
    out = StringIO()

    call_command("evaluate_pitch", record_id, "--pipeline", pipeline.name, stdout=out)

    pitch = Pitch.objects.get(pipeline=pipeline, salesforce_id=record_id)
    assert pitch.status == Pitch.Status.NEW and pitch.error.startswith("Waiting for a slot")
    assert "waits: Waiting for a slot" in out.getvalue() and not Run.objects.exists()
