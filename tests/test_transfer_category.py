"""Transfer.category is a copy of its materiel's category, kept in step on every save path."""

import json

import pytest
from django.core import serializers
from django.core.management import call_command

from transfers.choices import MaterielCategory
from transfers.models import Transfer

from .factories import MaterielFactory, TransferFactory

pytestmark = pytest.mark.django_db


def test_it_copies_the_materiel_category_on_save():
    transfer = TransferFactory(materiel=MaterielFactory(category=MaterielCategory.UAV))
    transfer.refresh_from_db()
    assert transfer.category == MaterielCategory.UAV


def test_changing_the_materiel_of_a_transfer_changes_its_category():
    transfer = TransferFactory(materiel=MaterielFactory(category=MaterielCategory.UAV))
    transfer.materiel = MaterielFactory(category=MaterielCategory.MISSILE)
    transfer.save()
    transfer.refresh_from_db()
    assert transfer.category == MaterielCategory.MISSILE


def test_recategorising_a_materiel_recategorises_its_transfers():
    materiel = MaterielFactory(category=MaterielCategory.UAV)
    transfers = [TransferFactory(materiel=materiel) for _ in range(2)]
    materiel.category = MaterielCategory.MISSILE
    materiel.save()
    assert set(Transfer.objects.filter(pk__in=[t.pk for t in transfers]).values_list("category", flat=True)) == {
        MaterielCategory.MISSILE
    }


def test_loaddata_fills_the_category_even_when_the_fixture_omits_it(tmp_path):
    transfer = TransferFactory(materiel=MaterielFactory(category=MaterielCategory.ARTILLERY))
    data = json.loads(serializers.serialize("json", [transfer], use_natural_foreign_keys=True))
    del data[0]["fields"]["category"]
    data[0]["fields"]["slug"] = "loaded-transfer"
    data[0]["pk"] = None
    fixture = tmp_path / "transfer.json"
    fixture.write_text(json.dumps(data))
    call_command("loaddata", str(fixture), verbosity=0)
    assert Transfer.objects.get(slug="loaded-transfer").category == MaterielCategory.ARTILLERY
