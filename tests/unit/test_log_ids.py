"""The log context knows no app: each app registers what its tasks' arguments name."""

from config.enqueue import Task
from config.log_context import current_ids, ids_for_task, log_ids


def test_the_pipelines_tasks_name_their_pitch_or_pipeline_as_the_pipelines_app_registered():
    assert ids_for_task(Task.PITCH_EVALUATE_AGAIN, [5]) == {"pitch": 5}
    for task in (Task.PULL_PITCHES, Task.PITCHES_ADMIT, Task.WRITEBACK_FLUSH):
        assert ids_for_task(task, [3]) == {"pipeline": 3}


def test_a_task_nobody_registered_names_nothing():
    assert ids_for_task(Task.TICK, [1]) == {}
    assert ids_for_task("someone.elses_task", [1]) == {}


def test_ids_show_in_the_order_they_were_bound():
    with log_ids(run=12, pitch=4), log_ids(tool_call=7, pipeline=""):
        assert current_ids() == "run=12 pitch=4 tool_call=7"
    assert current_ids() == "-"
