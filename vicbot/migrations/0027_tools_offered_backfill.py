"""Runs started before the worker decided the offer already have theirs: frozen as they are.

(A run in flight during the deploy keeps the tools its earlier turns offered.)
"""

from django.db import migrations
from django.db.models import F


def freeze(apps, schema_editor):
    apps.get_model("vicbot", "Run").objects.filter(tools_offered_at__isnull=True).update(tools_offered_at=F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("vicbot", "0026_tools_requested"),
    ]

    operations = [
        migrations.RunPython(freeze, migrations.RunPython.noop),
    ]
