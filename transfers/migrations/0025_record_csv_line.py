"""Each record keeps its line of the CSV export, so that an export streams stored text.

Then the records are brought up to date with the current code (which the newest migration that
changes the records does, as ``manage.py rebuild_read_model`` would): a database without records
(one that skipped 0022's former build) gets them built; one with records gets each record's line
from its stored document, a batch at a time."""

from django.db import migrations, models

BATCH = 5000


def keep_sqlite_search_trigger(apps, schema_editor):
    """On SQLite, adding a column remakes the table, and the FTS5 table's trigger (0019) went with
    the old one: put it back, or a deleted record's words would stay searchable."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER IF NOT EXISTS transfer_search_follows_deletes AFTER DELETE ON transfers_transferrecord "
            "BEGIN DELETE FROM transfer_search WHERE rowid = old.transfer_id; END"
        )


def bring_up_to_date(apps, schema_editor):
    from transfers import readmodel
    from transfers.readmodel.flat import csv_line

    alias = schema_editor.connection.alias
    transfers = apps.get_model("transfers", "Transfer").objects.using(alias)
    records = apps.get_model("transfers", "TransferRecord").objects.using(alias)
    if not transfers.exists():
        return
    if records.count() != transfers.count():
        readmodel.rebuild(using=alias)
        return
    last = 0
    while batch := list(records.filter(pk__gt=last).order_by("pk").only("pk", "document")[:BATCH]):
        for record in batch:
            record.csv_line = csv_line(record.document)
        records.bulk_update(batch, ["csv_line"], batch_size=1000)
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("transfers", "0024_busiest_tally_indexes")]

    operations = [
        migrations.AddField(
            model_name="transferrecord",
            name="csv_line",
            field=models.TextField(
                default="", editable=False,
                help_text="The transfer as one line of the CSV export (transfers.readmodel.flat), formulas neutralised.",
            ),
        ),
        migrations.RunPython(keep_sqlite_search_trigger, migrations.RunPython.noop),
        migrations.RunPython(bring_up_to_date, migrations.RunPython.noop),
    ]
