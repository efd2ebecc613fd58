"""Through the real worker and the admin: a pitch's whole story is in the transition log, with who did each move."""

import pytest

from config.enqueue import Task
from core.actors import ActorKind, acting_as
from core.models import Transition
from pipelines.models import Pitch
from pipelines.services.intake import pitches_pull
from tests.conftest import wait_for
from tests.support.pitches import add_accounts, make_pipeline, wait_until_written_back

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]


def story(model: str, pk: int) -> list[tuple[str, str, str, str, str]]:
    return list(Transition.objects.filter(model=model, object_pk=pk).order_by("at", "pk")
                .values_list("field", "operation", "to_state", "actor_kind", "actor_label"))


def test_an_evaluated_pitch_leaves_its_pitch_run_tool_call_and_write_back_moves_with_their_tasks(
        salesforce, openai_emu):
    pipeline = make_pipeline(tool_names=["test_lookup"])
    add_accounts(salesforce, 1)
    with acting_as(ActorKind.COMMAND, "pull_pitches"):
        pitches_pull(pipeline_id=pipeline.pk)
    pitch = wait_until_written_back(pipeline, 1)[0]
    run = pitch.latest_run
    assert pitch.status == Pitch.Status.WRITTEN_BACK and run.tool_calls.exists()

    pitch_story = story("pipelines.pitch", pitch.pk)
    assert [(field, op) for field, op, *_ in pitch_story if field == "status"] == [
        ("status", "admit"), ("status", "answer"), ("status", "written_back")]
    assert [op for field, op, *_ in pitch_story if field == "writeback_state"] == ["queue", "claim", "succeed"]
    # The run's completion handler answers the pitch, in the worker's task that ended the run (a step
    # of the run, or the webhook's event that brought the final turn).
    engine = {(ActorKind.TASK, Task.RUN_ADVANCE.value), (ActorKind.TASK, Task.WEBHOOK_EVENT_PROCESS.value),
              (ActorKind.TICK, Task.TICK.value)}
    assert next(tuple(row[3:]) for row in pitch_story if row[1] == "answer") in engine
    assert next(tuple(row[3:]) for row in pitch_story if row[1] == "written_back") in {
        (ActorKind.TASK, Task.WRITEBACK_FLUSH.value), (ActorKind.TICK, Task.PIPELINES_TICK.value)}

    run_story = story("vicbot.run", run.pk)
    assert [(f, op) for f, op, *_ in run_story if f == "status"][-2:] == [("status", "finish"), ("status", "succeed")]
    assert ("status", "start_tools") in [(f, op) for f, op, *_ in run_story]
    assert [op for f, op, *_ in run_story if f == "completion_state"] == ["due", "done"]
    assert {(kind, label) for *_, kind, label in run_story} <= engine

    # A turn's tool calls run in the task that found them (the webhook's, or the step that polled), not
    # in one of their own.
    for call in run.tool_calls.all():
        call_story = story("vicbot.toolcall", call.pk)
        assert [row[:3] for row in call_story] == [("status", "claim", "running"), ("status", "succeed", "succeeded")]
        assert {tuple(row[3:]) for row in call_story} <= engine - {(ActorKind.TICK, Task.TICK.value)}


def test_an_operators_action_in_the_admin_is_recorded_with_their_user(salesforce, openai_emu, operator):
    pipeline = make_pipeline()
    add_accounts(salesforce, 1)
    pitches_pull(pipeline_id=pipeline.pk)
    first = wait_until_written_back(pipeline, 1)[0]

    response = operator.post("/admin/pipelines/pitch/", {"action": "evaluate_again", "_selected_action": [first.pk]},
                             secure=True)

    assert response.status_code == 302  # the request queued it; a worker makes the move
    again = wait_for(lambda: Transition.objects.filter(model="pipelines.pitch", object_pk=first.pk,
                                                       operation="evaluate_now").first(),
                     message="the evaluation the operator asked for")
    assert (again.from_state, again.to_state) == ("written_back", "evaluating")
    # Queued by the request, made by the worker: on the user's behalf.
    assert (again.actor_kind, again.actor_user.username) == (ActorKind.USER, "op")
    assert again.actor_label == f"op via {Task.PITCH_EVALUATE_AGAIN.value}"
    pitch = wait_for(lambda: (p := Pitch.objects.get(pk=first.pk)).latest_run_id != first.latest_run_id
                     and p.status == Pitch.Status.WRITTEN_BACK and p, message="the second answer written")

    page = operator.get(f"/admin/pipelines/pitch/{pitch.pk}/change/", secure=True).content.decode()
    history = page.split('id="history"')[1].split("</table>")[0]
    assert "written_back → evaluating" in history and "User: op" in history
    run_page = operator.get(f"/admin/vicbot/run/{pitch.latest_run_id}/change/", secure=True).content.decode()
    assert "finishing → succeeded" in run_page.split('id="history"')[1]
