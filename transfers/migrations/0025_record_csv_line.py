"""Each record keeps its line of the CSV export, so that an export streams stored text: the records
already stored get theirs from their documents, a batch at a time (a database without records
gets them built, lines included, at the end of the newest migration that changes the records, now 0028)."""

from django.db import migrations, models

# The FTS5 table's trigger (migration 0019), as 0026 also puts it back.
SQLITE_SEARCH_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS transfer_search_follows_deletes AFTER DELETE ON transfers_transferrecord "
    "BEGIN DELETE FROM transfer_search WHERE rowid = old.transfer_id; END"
)

BATCH = 5000


def keep_sqlite_search_trigger(apps, schema_editor):
    """On SQLite, adding a column remakes the table, and the FTS5 table's trigger (0019) went with
    the old one: put it back, or a deleted record's words would stay searchable."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_SEARCH_TRIGGER)


def fill_csv_lines(apps, schema_editor):
    from transfers.readmodel.flat import csv_line

    records = apps.get_model("transfers", "TransferRecord").objects.using(schema_editor.connection.alias)
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
        migrations.RunPython(fill_csv_lines, migrations.RunPython.noop),
    ]
