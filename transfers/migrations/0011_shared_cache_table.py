"""The database table of the shared "throttle" cache (settings.CACHES), on every database.

``createcachetable`` makes it only for caches configured at the time it runs; a migration makes sure
every deployment has it (REDIS_URL can be unset later) and that ``migrate`` alone sets a database up.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "tracker_cache"


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("transfers", "0010_record_version")]

    operations = [migrations.RunPython(create, drop)]
