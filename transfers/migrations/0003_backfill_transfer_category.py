"""Fill the denormalised Transfer.category from each transfer's materiel (data migration)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    Transfer = apps.get_model("transfers", "Transfer")
    Materiel = apps.get_model("transfers", "Materiel")
    Transfer.objects.using(schema_editor.connection.alias).update(
        category=Subquery(Materiel.objects.filter(pk=OuterRef("materiel_id")).values("category")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("transfers", "0002_transfer_category_and_list_indexes")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
