"""Migrations over data: a database from before a change reaches the newest schema with its data whole."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from transfers import readmodel
from transfers.models import Transfer, TransferRecord

BEFORE_THE_READ_MODEL = ("transfers", "0021_remove_synthetic_flag")


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_read_model_gets_its_records_and_search_words():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_THE_READ_MODEL])
    old = executor.loader.project_state([BEFORE_THE_READ_MODEL]).apps
    state = old.get_model("transfers", "State")
    supplier = state.objects.create(iso3="AAA", name="Test State A")
    recipient = state.objects.create(iso3="BBB", name="Test State B")
    materiel = old.get_model("transfers", "Materiel").objects.create(slug="test-shells", name="Test shells",
                                                                        category="ammunition")
    old.get_model("transfers", "Transfer").objects.create(
        slug="test-transfer", supplier=supplier, recipient=recipient, materiel=materiel, status="ordered",
        description="A transfer written before the read model existed (test data).",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    transfer = Transfer.objects.get(slug="test-transfer")
    assert TransferRecord.objects.filter(transfer=transfer).exists()
    assert readmodel.stale() == []
    assert TransferRecord.objects.get(transfer=transfer).csv_line.startswith(f"{transfer.pk},test-transfer,AAA,")
    found = readmodel.search.transfer_search(Transfer.objects.all(), "written before")
    assert list(found.values_list("slug", flat=True)) == ["test-transfer"]
