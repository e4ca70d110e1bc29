"""Each transfer's search words carry its list key (``TransferWords.recent``), so that ``?q=`` in the
list's order sorts the matches rather than walking the list index (transfers.readmodel.search).

Filled from the transfers with one UPDATE (PostgreSQL; SQLite keeps its words in FTS5 and this
table empty). (A database with transfers but no records gets them built by the newest migration
that changes what the read model writes, now 0028.)"""

from django.db import migrations, models


def fill_recent(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE transfers_transferwords AS w SET recent = COALESCE(t.first_reported, DATE '0001-01-01') "
            "FROM transfers_transfer AS t WHERE t.id = w.transfer_id"
        )


class Migration(migrations.Migration):
    dependencies = [("transfers", "0026_transfer_words")]

    operations = [
        migrations.AddField(
            model_name="transferwords", name="recent", field=models.DateField(editable=False, null=True),
        ),
        migrations.RunPython(fill_recent, migrations.RunPython.noop),
    ]
