"""The shared reads (pipelines.selectors) say the same thing to admission, the tick, the console
and vicbot_status."""

from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.core.management import call_command
from django.utils import timezone

from console.dashboard import pipeline_states
from console.pipeline_page import pipeline_page
from pipelines.models import Pitch
from pipelines.selectors import (
    intake_failing,
    pipeline_spend,
    pipeline_summaries,
    pipelines_with_work_due,
    pitches_failed,
    pitches_waiting,
    writebacks_failed,
)
from pipelines.services.pipelines import pipeline_create
from tests.support.pitches import make_pipeline
from tests.support.runs import make_assistant
from vicbot.runs import Run, RunStatus

pytestmark = pytest.mark.django_db
ids = count()
S, W = Pitch.Status, Pitch.WriteBack


def another_pipeline(name: str, **fields):
    return pipeline_create(name=name, assistant_name="tester", **fields)


def pitch(pipeline, status=S.NEW, **fields) -> Pitch:
    return Pitch.objects.create(pipeline=pipeline, salesforce_id=f"001{next(ids):015d}", status=status,
                                name=f"{status} {fields.get('writeback_state', '')}", **fields)


def test_waiting_is_new_or_retry_waiting_and_due_only_when_its_time_has_come():
    pipeline = make_pipeline()
    now = timezone.now()
    new = pitch(pipeline)
    due = pitch(pipeline, S.RETRY_WAITING, next_attempt_at=now - timedelta(seconds=1))
    later = pitch(pipeline, S.RETRY_WAITING, next_attempt_at=now + timedelta(minutes=5))
    for status in (S.EVALUATING, S.EVALUATED, S.FAILED, S.REJECTED):
        pitch(pipeline, status)
    other = pitch(another_pipeline("other"))

    assert set(pitches_waiting()) == {new, due, later, other}
    assert set(pitches_waiting(pipeline=pipeline)) == {new, due, later}
    assert set(pitches_waiting(pipeline=pipeline, due_at=now)) == {new, due}
    # The console counts what admission will start, sooner or later: the same three.
    assert pipeline_page(pipeline)["waiting"] == 3
    assert {row["pipeline"].name: row["waiting"] for row in pipeline_states(now)} == {"test": 3, "other": 1,
                                                                                     "default": 0}


def test_the_tick_finds_pipelines_with_pitches_left_waiting_or_a_probe_due():
    quiet, busy, paused = make_pipeline(name="quiet"), another_pipeline("busy"), another_pipeline("paused")
    now = timezone.now()
    pitch(quiet)  # just recorded: that intake pass admits it
    left = pitch(busy)
    Pitch.objects.filter(pk=left.pk).update(updated_at=now - timedelta(seconds=10))
    pitch(busy, S.RETRY_WAITING, next_attempt_at=now + timedelta(minutes=5))
    paused.paused_at, paused.probe_at = now - timedelta(minutes=1), now - timedelta(seconds=1)
    paused.save()
    assert pipelines_with_work_due(now) == sorted([busy.pk, paused.pk])


def test_spend_today_counts_ended_runs_cost_and_what_runs_in_flight_reserved():
    pipeline = make_pipeline(daily_spend_cap_usd=Decimal("1.00"))
    assistant = make_assistant(name="other assistant")
    now = timezone.now()
    owner = pitch(pipeline, S.EVALUATING)
    for status, cost, reserved in ((RunStatus.SUCCEEDED, "0.30", "0.50"), (RunStatus.WAITING_MODEL, "0", "0.25"),
                                   (RunStatus.FAILED, "0.05", "0.50")):
        run = Run.objects.create(assistant=assistant, model="m", status=status, input="x", deadline_at=now,
                                 cost_usd=Decimal(cost), reserved_cost_usd=Decimal(reserved))
        owner.runs.add(run)
    Run.objects.filter(pk=run.pk).update(created_at=now - timedelta(days=1))  # yesterday's: not today's
    spend = pipeline_spend(pipeline, now=now)
    assert (spend.spent, spend.reserved, spend.cap) == (Decimal("0.30"), Decimal("0.25"), Decimal("1.00"))
    [summary] = [s for s in pipeline_summaries(now) if s.pipeline == pipeline]
    assert summary.spend == spend and summary.waiting == 0 and not summary.paused


def test_what_needs_an_operator_is_read_once_for_the_command_and_the_dashboard(capsys):
    pipeline = make_pipeline()
    failed, rejected = pitch(pipeline, S.FAILED, error="attempts used up"), pitch(pipeline, S.REJECTED, error="NUL")
    write_failed = pitch(pipeline, S.EVALUATED, writeback_state=W.FAILED, writeback_error="locked")
    both = pitch(pipeline, S.FAILED, writeback_state=W.FAILED)  # listed once, as failed
    pitch(pipeline, S.WRITTEN_BACK, writeback_state=W.DONE)
    assert set(pitches_failed()) == {failed, rejected, both}
    assert list(writebacks_failed()) == [write_failed]

    now = timezone.now()
    pipeline.last_intake_error, pipeline.last_intake_error_at = "INVALID_FIELD", now
    pipeline.last_intake_at = now - timedelta(minutes=5)
    pipeline.save()
    assert intake_failing(pipeline)
    assert [row["intake_failing"] for row in pipeline_states(now)] == [False, True]  # default, test
    with pytest.raises(SystemExit):
        call_command("vicbot_status")
    out = capsys.readouterr().out
    assert "intake failing" in out and "locked" in out and "attempts used up" in out

    pipeline.last_intake_at = now + timedelta(seconds=1)  # a pass went through since
    assert not intake_failing(pipeline)
    # An error recorded without a time is shown as failing on both: they once disagreed.
    pipeline.last_intake_error_at = None
    assert intake_failing(pipeline)
