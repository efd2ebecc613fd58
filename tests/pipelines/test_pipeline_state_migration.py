"""Each pipeline's state is derived from the columns that said it before; no row is lost, and it migrates back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("pipelines", "0010_pitch_set_aside_and_pause_pitch")]
AFTER = [("pipelines", "0013_pipeline_drop_pause_kind")]


# Apps whose migrations depend on later pipelines migrations: Django unapplies them with pipelines.
BUILT_ON_PIPELINES = {"pipelines", "evaluations"}


def migrate(pipelines_target):
    """Every other app as it is today, pipelines at `pipelines_target`; the models of that state."""
    executor = MigrationExecutor(connection)
    today = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in BUILT_ON_PIPELINES]
    targets = today + pipelines_target
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def test_every_pipeline_gets_the_state_its_old_columns_said_and_back():
    old = migrate(BEFORE)
    Pipeline, Run, Assistant = (old.get_model("pipelines", "Pipeline"), old.get_model("vicbot", "Run"),
                                old.get_model("vicbot", "Assistant"))
    now = timezone.now()
    assistant = Assistant.objects.create(name="old", instructions="x", output_schema={})
    probe = Run.objects.create(assistant=assistant, model="m", input="x", deadline_at=now)
    rows = {
        "running": {},
        "disabled": {"enabled": False, "paused_at": now, "pause_kind": "systemic"},
        "paused": {"paused_at": now, "pause_kind": "systemic", "probe_at": now},
        "probing": {"paused_at": now, "pause_kind": "systemic", "probe_at": now, "probe_run": probe},
        "paused_for_spend": {"paused_at": now, "pause_kind": "spend_cap", "probe_at": now},
    }
    for name, fields in rows.items():
        Pipeline.objects.create(name=f"p-{name}", **fields)
    count = Pipeline.objects.count()
    try:
        new = migrate(AFTER)
        states = dict(new.get_model("pipelines", "Pipeline").objects.filter(name__startswith="p-")
                      .values_list("name", "state"))
        assert new.get_model("pipelines", "Pipeline").objects.count() == count
        assert states == {f"p-{name}": name for name in rows}

        back = migrate(BEFORE)
        kinds = dict(back.get_model("pipelines", "Pipeline").objects.filter(name__startswith="p-")
                     .values_list("name", "pause_kind"))
        assert kinds == {"p-running": "", "p-disabled": "", "p-paused": "systemic", "p-probing": "systemic",
                         "p-paused_for_spend": "spend_cap"}
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # every app back
