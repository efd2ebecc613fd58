"""The default pipeline (from SALESFORCE_PITCH_OBJECT / SALESFORCE_PITCH_FILTER), pulled every 5 minutes."""

import json

from django.conf import settings
from django.db import migrations

from config.enqueue import Task

FIELDS = ["Name", "Website", "Description", "Industry"]
ANSWER_MAPPING = {"Assessment": "VicBot_Assessment__c", "Reasoning": "VicBot_Reasoning__c"}
# The README's default is no cap (OpenAI's limits decide), but max_in_flight cannot be blank until
# pipelines 0005. The schedule carries this mark so pipelines 0015 can blank the cap of the pipeline
# made here, and only that one: installs that ran this step before the mark existed keep their number.
UNCAPPED_MARK = "Created uncapped by migration vicbot 0004; a pipelines migration clears the cap."


def create(apps, schema_editor):
    Pipeline = apps.get_model("vicbot", "Pipeline")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if Pipeline.objects.filter(name="default").exists():
        return
    pipeline = Pipeline.objects.create(
        name="default", sobject=settings.SALESFORCE_PITCH_OBJECT, selection=settings.SALESFORCE_PITCH_FILTER,
        fields=FIELDS, answer_mapping=ANSWER_MAPPING,
    )
    every, _ = IntervalSchedule.objects.get_or_create(every=300, period="seconds")
    pipeline.schedule = PeriodicTask.objects.create(
        name="Pull pitches: default", task=Task.PULL_PITCHES.value, interval=every,
        kwargs=json.dumps({"pipeline_id": pipeline.pk}), expire_seconds=300,
        description=UNCAPPED_MARK,
    )
    pipeline.save()


class Migration(migrations.Migration):
    dependencies = [("vicbot", "0003_pipelines_and_pitches"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
