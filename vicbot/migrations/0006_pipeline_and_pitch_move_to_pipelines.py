"""Pipeline and Pitch now belong to the `pipelines` app (pipelines 0001): forget them here, state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("vicbot", "0005_pipeline_salesforce_calls"),
        ("pipelines", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name="Pitch"),
            migrations.DeleteModel(name="Pipeline"),
        ]),
    ]
