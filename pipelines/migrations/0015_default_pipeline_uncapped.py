"""A fresh install's `default` pipeline has no cap: OpenAI's limits decide, as the README says.

vicbot 0004 makes it while max_in_flight cannot yet be blank, and marks its beat task. Only a pipeline with
that mark and the number 0004 gave it is cleared: an install that ran 0004 before the mark existed keeps
its number (see pipelines 0005: an operator's 10 cannot be told from the old default).
"""

from django.db import migrations

# vicbot 0004's mark, restated: a migration must not import another migration module.
UNCAPPED_MARK = "Created uncapped by migration vicbot 0004; a pipelines migration clears the cap."
CAP_AT_CREATION = 10  # the column's default when vicbot 0004 runs


def clear_the_cap(apps, schema_editor):
    Pipeline = apps.get_model("pipelines", "Pipeline")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    marked = PeriodicTask.objects.filter(description=UNCAPPED_MARK)
    Pipeline.objects.filter(schedule__in=marked, max_in_flight=CAP_AT_CREATION).update(max_in_flight=None)
    marked.update(description="")


class Migration(migrations.Migration):

    dependencies = [
        ("pipelines", "0014_decks"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(clear_the_cap, migrations.RunPython.noop),
    ]
