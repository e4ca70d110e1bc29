"""Build the read model's records of the transfers already stored (``manage.py rebuild_read_model``
does the same at any time). Runs the current build code, not historical models: the records are
derived data, and a later schema runs this with its own code or finds the table empty (new databases)."""

from django.db import migrations


def build(apps, schema_editor):
    from transfers import readmodel

    if apps.get_model("transfers", "Transfer").objects.using(schema_editor.connection.alias).exists():
        readmodel.rebuild(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("transfers", "0021_remove_synthetic_flag")]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
