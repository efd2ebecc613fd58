"""Every move of a declared table leaves one transition row, in its transaction, with the true from-state and its actor."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from core.actors import ActorKind, acting_as
from core.models import Transition
from pipelines.models import Pipeline, Pitch
from pipelines.services.pause import pipeline_pause, pipeline_resume
from pipelines.states import PITCH_STATES, WRITEBACK_STATES
from tests.support.runs import make_assistant
from vicbot.models import Run, RunStatus, ToolCall
from vicbot.services.runs.lifecycles import TOOL_CALL_STATES
from vicbot.services.runs.state import RUN_STATES

pytestmark = pytest.mark.django_db


def a_pitch(**fields) -> Pitch:
    pipeline = Pipeline.objects.filter(name="p").first() or Pipeline.objects.create(name="p", fields=["Name"])
    return Pitch.objects.create(pipeline=pipeline, salesforce_id=f"001{Pitch.objects.count():015d}", **fields)


def a_run(**fields) -> Run:
    return Run.objects.create(assistant=make_assistant(), model="m", input="x",
                              deadline_at=timezone.now() + timedelta(minutes=5), **fields)


def moves_of(obj) -> list[tuple[str, str, str, str]]:
    return list(Transition.objects.filter(model=obj._meta.label_lower, object_pk=obj.pk)
                .values_list("field", "operation", "from_state", "to_state"))


def test_a_move_from_one_of_several_states_records_the_state_it_left(django_assert_num_queries):
    pitch = a_pitch(status=Pitch.Status.EVALUATED)

    # One read under the row's lock (several sources), the UPDATE, the INSERT.
    with django_assert_num_queries(3):
        assert PITCH_STATES.apply(pitch.pk, "skip", note="spam")

    assert moves_of(pitch) == [("status", "skip", "evaluated", "skipped")]
    row = Transition.objects.get()
    assert (row.actor_kind, row.actor_user, row.note) == (ActorKind.SYSTEM, None, "spam")


def test_a_move_with_one_source_costs_one_statement_more_than_the_update(django_assert_num_queries):
    pitch = a_pitch(status=Pitch.Status.EVALUATING)
    with django_assert_num_queries(2):
        assert PITCH_STATES.apply(pitch.pk, "answer", assessment="Fit")
    assert moves_of(pitch) == [("status", "answer", "evaluating", "evaluated")]


def test_a_where_naming_the_state_needs_no_read(django_assert_num_queries):
    pitch = a_pitch(status=Pitch.Status.NEW)
    with django_assert_num_queries(2):
        assert PITCH_STATES.apply(pitch.pk, "skip", where={"status": Pitch.Status.NEW})
    assert moves_of(pitch) == [("status", "skip", "new", "skipped")]


def test_a_move_the_row_does_not_allow_changes_nothing_and_logs_nothing():
    pitch = a_pitch(status=Pitch.Status.NEW)
    assert not PITCH_STATES.apply(pitch.pk, "answer")
    assert not PITCH_STATES.apply(pitch.pk, "fail")
    assert Pitch.objects.get(pk=pitch.pk).status == Pitch.Status.NEW and moves_of(pitch) == []


def test_two_fields_moving_in_one_update_leave_a_row_each():
    pitch = a_pitch(status=Pitch.Status.EVALUATED, writeback_state=Pitch.WriteBack.WRITING)
    assert PITCH_STATES.apply(pitch.pk, "written_back", also=[WRITEBACK_STATES["succeed"]])
    assert sorted(moves_of(pitch)) == [("status", "written_back", "evaluated", "written_back"),
                                       ("writeback_state", "succeed", "writing", "done")]


def test_a_stay_is_not_a_move_and_is_not_logged():
    run = a_run(status=RunStatus.WAITING_MODEL)
    assert RUN_STATES.apply(run.pk, "check_again", next_check_at=timezone.now())
    assert moves_of(run) == []


def test_a_move_rolled_back_leaves_no_transition():
    pitch = a_pitch(status=Pitch.Status.EVALUATED)
    with pytest.raises(RuntimeError), transaction.atomic():
        PITCH_STATES.apply(pitch.pk, "skip")
        raise RuntimeError("the caller's transaction fails after the move")
    assert Pitch.objects.get(pk=pitch.pk).status == Pitch.Status.EVALUATED and moves_of(pitch) == []


def test_a_bulk_move_logs_each_row_it_moved_and_only_those(django_assert_num_queries):
    run = a_run(status=RunStatus.CANCELLED)
    waiting = [ToolCall.objects.create(run=run, turn=1, call_id=f"c{i}", name="t", arguments="{}") for i in range(3)]
    done = ToolCall.objects.create(run=run, turn=1, call_id="c9", name="t", arguments="{}",
                                   status=ToolCall.Status.PENDING)
    TOOL_CALL_STATES.apply(done.pk, "claim")
    Transition.objects.all().delete()

    with django_assert_num_queries(3):  # lock and read, one UPDATE, one INSERT
        moved = TOOL_CALL_STATES.apply_many("skip", where={"run_id": run.pk}, error="Not run")

    assert sorted(moved) == sorted(c.pk for c in waiting)
    assert sorted(Transition.objects.values_list("object_pk", "from_state", "to_state")) == [
        (c.pk, "pending", "skipped") for c in waiting]
    assert ToolCall.objects.get(pk=done.pk).status == ToolCall.Status.RUNNING


def test_the_actor_is_whoever_acts_a_user_a_task_or_a_command():
    user = User.objects.create_user("ada")
    pitch = a_pitch(status=Pitch.Status.NEW)
    with acting_as(ActorKind.USER, user=user):
        PITCH_STATES.apply(pitch.pk, "skip", note="duplicate")
    with acting_as(ActorKind.TASK, "pipelines.pitches_admit"):
        PITCH_STATES.apply(pitch.pk, "deleted")
    rows = list(Transition.objects.values_list("actor_kind", "actor_user", "actor_label"))
    assert rows == [(ActorKind.USER, user.pk, "ada"), (ActorKind.TASK, None, "pipelines.pitches_admit")]


def test_a_pipeline_pause_probe_and_resume_are_moves_of_its_table():
    make_assistant()
    pipeline = Pipeline.objects.create(name="p", fields=["Name"], assistant_name="tester")
    pipeline_pause(pipeline_id=pipeline.pk, reason="invalid_api_key")
    pipeline_pause(pipeline_id=pipeline.pk, reason="quota")  # while paused: the cool-down grows
    assert pipeline_resume(pipeline_id=pipeline.pk)
    assert not pipeline_resume(pipeline_id=pipeline.pk)  # a running pipeline is left alone

    pipeline.refresh_from_db()
    assert (pipeline.state, pipeline.paused_at, pipeline.pause_probes) == (Pipeline.State.RUNNING, None, 0)
    assert moves_of(pipeline) == [("state", "pause", "running", "paused"), ("state", "pause", "paused", "paused"),
                                  ("state", "resume", "paused", "running")]
    assert Transition.objects.filter(operation="pause").values_list("note", flat=True)[0] == "invalid_api_key"


def test_switching_a_pipeline_off_disables_it_forgetting_its_pause_and_on_runs_it_again():
    from pipelines.services.pipelines import pipeline_create, pipeline_schedule

    make_assistant()
    pipeline = pipeline_create(name="switch", assistant_name="tester", every_seconds=60)
    pipeline_pause(pipeline_id=pipeline.pk, reason="quota")

    for enabled in (False, True):
        Pipeline.objects.filter(pk=pipeline.pk).update(enabled=enabled)  # what the admin's form saves
        pipeline.refresh_from_db()
        pipeline_schedule(pipeline=pipeline, every_seconds=60)  # the admin's save_model, after the form
        pipeline.refresh_from_db()
        assert (pipeline.state, pipeline.schedule.enabled) == ("running" if enabled else "disabled", enabled)
        assert pipeline.paused_at is None and pipeline.pause_reason == ""

    assert [op for _, op, *_ in moves_of(pipeline)] == ["pause", "disable", "enable"]
    assert moves_of(pipeline)[1] == ("state", "disable", "paused", "disabled")
