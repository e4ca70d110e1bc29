from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("transfers", "0014_route_legs_numbered_regions_moved")]

    operations = [
        migrations.AddConstraint(
            model_name='transfervia',
            constraint=models.UniqueConstraint(fields=('transfer', 'seq'), name='transfervia_seq_unique'),
        ),
        migrations.DeleteModel(
            name='HistoricalTransferViaRegion',
        ),
        migrations.DeleteModel(
            name='TransferViaRegion',
        ),
    ]
