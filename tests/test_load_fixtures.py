"""manage.py load_fixtures: what `make run` uses to load the curated data, once."""

from io import StringIO

import pytest
from django.core.management import call_command

from transfers.models import Source, Transfer

pytestmark = pytest.mark.django_db


def test_it_loads_every_fixture_with_a_first_history_entry():
    call_command("load_fixtures", "--if-empty", stdout=StringIO())
    transfer = Transfer.objects.get(slug="prk-rus-artillery-shells-2022")
    assert transfer.history.count() == 1
    assert Source.objects.count() == 1


def test_with_if_empty_it_does_not_overwrite_local_edits():
    call_command("load_fixtures", stdout=StringIO())
    Transfer.objects.filter(slug="prk-rus-artillery-shells-2022").update(quantity_note="edited locally")
    out = StringIO()
    call_command("load_fixtures", "--if-empty", stdout=out)
    assert "already loaded" in out.getvalue()
    assert Transfer.objects.get(slug="prk-rus-artillery-shells-2022").quantity_note == "edited locally"
