"""The moved tables take this app's names (vicbot_pitch → pipelines_pitch, and its runs table).

Content types move with them, so admin permissions and log entries granted on the old
app label keep pointing at the same models.
"""

from django.db import migrations

MODELS = ("pipeline", "pitch")


def move_content_types(apps, schema_editor, *, source="vicbot", target="pipelines"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="pipelines", target="vicbot")


class Migration(migrations.Migration):
    dependencies = [
        ("pipelines", "0001_initial"),
        ("vicbot", "0006_pipeline_and_pitch_move_to_pipelines"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="pipeline", table=None),
        migrations.AlterModelTable(name="pitch", table=None),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
