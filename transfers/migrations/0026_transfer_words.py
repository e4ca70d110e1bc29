"""A transfer's stemmed search words move from its record to a narrow table of their own
(TransferWords, PostgreSQL only; GIN-indexed), so that ``?q=`` tests narrow rows, not documents.

On PostgreSQL the words are copied over as they are (no re-stemming); on SQLite, which searches its
FTS5 table and left the column empty, removing the column remakes the record table, so the FTS5
table's trigger is put back. (A database with transfers but no records gets them built by the newest
migration that changes the records, now 0028.)"""

from importlib import import_module

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


def move_words(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "INSERT INTO transfers_transferwords (transfer_id, search) "
            "SELECT transfer_id, search FROM transfers_transferrecord"
        )
        schema_editor.execute('CREATE INDEX "transferwords_search_idx" ON "transfers_transferwords" USING gin ("search")')
        schema_editor.execute("ANALYZE transfers_transferwords")


def move_words_back(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE transfers_transferrecord AS r SET search = w.search FROM transfers_transferwords AS w "
            "WHERE w.transfer_id = r.transfer_id"
        )
        schema_editor.execute('CREATE INDEX "record_search_idx" ON "transfers_transferrecord" USING gin ("search")')


def keep_sqlite_search_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(import_module("transfers.migrations.0025_record_csv_line").SQLITE_SEARCH_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [("transfers", "0025_record_csv_line")]

    operations = [
        migrations.CreateModel(
            name="TransferWords",
            fields=[
                ("transfer", models.OneToOneField(
                    on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name="words",
                    serialize=False, to="transfers.transfer")),
                ("search", django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
            ],
            options={"verbose_name_plural": "transfer words"},
        ),
        migrations.RunPython(move_words, move_words_back),
        migrations.RemoveField(model_name="transferrecord", name="search"),
        migrations.RunPython(keep_sqlite_search_trigger, migrations.RunPython.noop),
    ]
