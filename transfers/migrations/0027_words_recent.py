"""Each transfer's search words carry its list key (``TransferWords.recent``), so that ``?q=`` in the
list's order sorts the matches rather than walking the list index (transfers.readmodel.search).

Filled from the transfers with one UPDATE (PostgreSQL; SQLite keeps its words in FTS5 and this
table empty). Last, a database with transfers but no records gets them built with the current code,
as ``manage.py rebuild_read_model`` would: the newest migration that changes the records does this,
so that the code finds every table and column it writes (it moved here from 0026)."""

from django.db import migrations, models


def fill_recent(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE transfers_transferwords AS w SET recent = COALESCE(t.first_reported, DATE '0001-01-01') "
            "FROM transfers_transfer AS t WHERE t.id = w.transfer_id"
        )


def build_missing_records(apps, schema_editor):
    """The records of a database that has transfers but none (it skipped 0022's former build)."""
    from transfers import readmodel

    alias = schema_editor.connection.alias
    transfers = apps.get_model("transfers", "Transfer").objects.using(alias)
    records = apps.get_model("transfers", "TransferRecord").objects.using(alias)
    if transfers.exists() and records.count() != transfers.count():
        readmodel.rebuild(using=alias)


class Migration(migrations.Migration):
    dependencies = [("transfers", "0026_transfer_words")]

    operations = [
        migrations.AddField(
            model_name="transferwords", name="recent", field=models.DateField(editable=False, null=True),
        ),
        migrations.RunPython(fill_recent, migrations.RunPython.noop),
        migrations.RunPython(build_missing_records, migrations.RunPython.noop),
    ]
