"""Each pipeline's state, from the columns that said it before (enabled, paused_at, pause_kind, probe_run)."""

from django.db import migrations


def states_from_columns(apps, schema_editor):
    Pipeline = apps.get_model("pipelines", "Pipeline")
    for pipeline in Pipeline.objects.all():
        if not pipeline.enabled:
            state = "disabled"
        elif pipeline.paused_at is None:
            state = "running"
        elif pipeline.pause_kind == "spend_cap":
            state = "paused_for_spend"
        elif pipeline.probe_run_id is not None:
            state = "probing"
        else:
            state = "paused"
        Pipeline.objects.filter(pk=pipeline.pk).update(state=state)


def columns_from_states(apps, schema_editor):
    Pipeline = apps.get_model("pipelines", "Pipeline")
    Pipeline.objects.filter(state="paused_for_spend").update(pause_kind="spend_cap")
    Pipeline.objects.filter(state__in=["paused", "probing"]).update(pause_kind="systemic")


class Migration(migrations.Migration):

    dependencies = [
        ("pipelines", "0011_pipeline_state"),
    ]

    operations = [
        migrations.RunPython(states_from_columns, columns_from_states),
    ]
