"""pause_kind is now the pipeline's state (paused or paused_for_spend)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("pipelines", "0012_pipeline_state_data"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="pipeline",
            name="pause_kind",
        ),
    ]
