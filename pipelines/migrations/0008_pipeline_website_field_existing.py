from django.db import migrations


def existing_pipelines(apps, schema_editor):
    """A pipeline saved before the website field existed reads it only if it already sent it to the model:
    another pipeline's sObject may have no Website field, and intake's query would then fail."""
    Pipeline = apps.get_model("pipelines", "Pipeline")
    for pipeline in Pipeline.objects.all():
        sent = [field for field in pipeline.fields or [] if isinstance(field, str) and field.lower() == "website"]
        Pipeline.objects.filter(pk=pipeline.pk).update(website_field=sent[0] if sent else "")


class Migration(migrations.Migration):

    dependencies = [
        ("pipelines", "0007_pipeline_website_field"),
    ]

    operations = [
        migrations.RunPython(existing_pipelines, migrations.RunPython.noop),
    ]
