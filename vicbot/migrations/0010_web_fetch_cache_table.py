"""The scrape cache's table (CACHES["web_fetch"], a database cache so it never fills the broker's Redis).

In a migration, so every way the schema is made — `migrate` on release, the demo, the
tests — makes it too. createcachetable skips tables that exist.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("vicbot", "0009_run_action_permissions")]
    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
