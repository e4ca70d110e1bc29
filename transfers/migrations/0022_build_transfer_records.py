"""Formerly: build the read model's records of the transfers already stored, with the current build
code. That code now writes columns added after this migration (0025 adds ``csv_line``), so the
build moved to the newest migration that changes the records (now 0028); this one does nothing."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("transfers", "0021_remove_synthetic_flag")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
