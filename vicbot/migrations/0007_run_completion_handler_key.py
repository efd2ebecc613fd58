"""Runs store a completion handler's registered key instead of a "module:function" path.

A path breaks every run in flight when its module moves (as the pitch handler's just
did); a key does not. Known paths become their keys; any other path is kept as it is,
and a run that ends with it records "no completion handler is registered" instead of
calling anything.
"""

from django.db import migrations, models

PATHS_TO_KEYS = {
    "vicbot.services.pitches.evaluation:pitch_run_completed": "pipelines.pitch_evaluated",
}


def paths_to_keys(apps, schema_editor):
    Run = apps.get_model("vicbot", "Run")
    for path, key in PATHS_TO_KEYS.items():
        Run.objects.filter(completion_handler=path).update(completion_handler=key)


def keys_to_paths(apps, schema_editor):
    Run = apps.get_model("vicbot", "Run")
    for path, key in PATHS_TO_KEYS.items():
        Run.objects.filter(completion_handler=key).update(completion_handler=path)


class Migration(migrations.Migration):
    dependencies = [("vicbot", "0006_pipeline_and_pitch_move_to_pipelines")]

    operations = [
        migrations.RenameField(model_name="run", old_name="on_complete", new_name="completion_handler"),
        migrations.AlterField(
            model_name="run",
            name="completion_handler",
            field=models.CharField(
                blank=True, max_length=200,
                help_text="Key of the registered completion handler (never a module path).",
            ),
        ),
        migrations.RunPython(paths_to_keys, keys_to_paths),
    ]
