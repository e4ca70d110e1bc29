"""Data: number the existing route legs and move the named transit regions onto the route."""

from django.db import migrations


def number_legs_and_move_regions(apps, schema_editor):
    """Each transfer's transit States become legs 1..n in the order entered; its named transit
    regions follow as transit legs naming the place (the two lists were never ordered together)."""
    TransferVia = apps.get_model("transfers", "TransferVia")
    TransferViaRegion = apps.get_model("transfers", "TransferViaRegion")
    counts = {}
    for leg in TransferVia.objects.order_by("transfer_id", "id").iterator():
        counts[leg.transfer_id] = counts.get(leg.transfer_id, 0) + 1
        leg.seq = counts[leg.transfer_id]
        leg.save(update_fields=["seq"])
    for step in TransferViaRegion.objects.order_by("transfer_id", "id").iterator():
        counts[step.transfer_id] = counts.get(step.transfer_id, 0) + 1
        TransferVia.objects.create(
            transfer_id=step.transfer_id, seq=counts[step.transfer_id], place_id=step.place_id,
            role="transit", mode="unknown",
        )


class Migration(migrations.Migration):
    dependencies = [("transfers", "0013_register_fields_route_legs_parties_breaches")]

    operations = [migrations.RunPython(number_legs_and_move_regions, migrations.RunPython.noop)]
