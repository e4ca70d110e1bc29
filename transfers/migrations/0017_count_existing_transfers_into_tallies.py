from django.db import migrations


def count(apps, schema_editor):
    from transfers import tallies

    tallies.rebuild(using=schema_editor.connection.alias, apps=apps)


class Migration(migrations.Migration):
    dependencies = [("transfers", "0016_transfer_tallies")]

    operations = [migrations.RunPython(count, migrations.RunPython.noop)]
