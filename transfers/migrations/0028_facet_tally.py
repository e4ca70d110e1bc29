"""The read model's summary (FacetTally): transfers counted by every two facets, kept from the
records (transfers.readmodel.summary); counted here from the records already stored.

Last, a database with transfers but no records gets them built (the summary with them) with the
current code, as ``manage.py rebuild_read_model`` would: the newest migration that changes what the
read model writes does this, so that the code finds every table and column it writes (it moved here
from 0027)."""

from django.db import migrations, models


def count_and_build(apps, schema_editor):
    from transfers import readmodel

    alias = schema_editor.connection.alias
    transfers = apps.get_model("transfers", "Transfer").objects.using(alias)
    records = apps.get_model("transfers", "TransferRecord").objects.using(alias)
    if transfers.exists() and records.count() != transfers.count():
        readmodel.rebuild(using=alias)
    else:
        readmodel.summary.rebuild(using=alias)


class Migration(migrations.Migration):
    dependencies = [
        ("transfers", "0027_words_recent"),
    ]

    operations = [
        migrations.CreateModel(
            name="FacetTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("facet", models.CharField(max_length=16)),
                (
                    "value",
                    models.CharField(
                        blank=True, help_text="As documents show it; empty: unknown or undated.", max_length=64
                    ),
                ),
                ("by", models.CharField(max_length=16)),
                ("by_value", models.CharField(blank=True, max_length=64)),
                ("transfers", models.PositiveIntegerField(default=0)),
                (
                    "quantity_ordered",
                    models.BigIntegerField(default=0, help_text="The sum of the known ordered quantities."),
                ),
                (
                    "ordered_known",
                    models.PositiveIntegerField(default=0, help_text="How many transfers' ordered quantity is known."),
                ),
                (
                    "quantity_delivered",
                    models.BigIntegerField(default=0, help_text="The sum of the known delivered quantities."),
                ),
                ("delivered_known", models.PositiveIntegerField(default=0)),
            ],
            options={
                "verbose_name_plural": "facet tallies",
                "constraints": [
                    models.UniqueConstraint(fields=("facet", "by", "value", "by_value"), name="facettally_unique")
                ],
            },
        ),
        migrations.RunPython(count_and_build, migrations.RunPython.noop),
    ]
