"""Beat no longer sends a worker heartbeat task: each worker reports itself (vicbot/worker_liveness.py).

The database scheduler stored CELERY_BEAT_SCHEDULE's entry as a PeriodicTask row and never removes
one the schedule drops: left, beat would keep sending a task no worker knows. Gone here; the way
back recreates nothing (a beat started on the old code writes its entry again).
"""

from django.db import migrations

RETIRED_TASK = "vicbot.worker_heartbeat"


def drop_rows(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=RETIRED_TASK).delete()
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    # Tell a running beat its schedule changed (what django_celery_beat's own signals do).
    from django.utils import timezone
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):

    dependencies = [
        ("vicbot", "0024_worker_stopped_at"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(drop_rows, migrations.RunPython.noop),
    ]
