"""transfers.readmodel: after every kind of write, each transfer's stored record (document, flags,
search words) equals what building it afresh from the curated tables gives."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast
from rest_framework.test import APIClient

from bench.synthetic import delete_synthetic
from tests import factories as f
from tests.api_world import build_world
from transfers import readmodel
from transfers.models import (
    Actor,
    Claim,
    FacetTally,
    Materiel,
    Place,
    SanctionDesignation,
    SanctionsRegime,
    Source,
    State,
    Transfer,
    TransferRecord,
    TransferWords,
)
from transfers.models.transfers import RECENT_KEY
from transfers.readmodel import search
from transfers.services.imports import import_transfers_csv
from transfers.services.records import record_delete

pytestmark = pytest.mark.django_db

URL = "/api/v1/transfers/"
QUOTE = "Iran has sent Shahed-136 drones to Russia."


def search_words_current(built: dict) -> bool:
    if connection.vendor == "postgresql":
        def texts(pk, words):  # the stored tsvector and a fresh one, as text
            return TransferWords.objects.filter(pk=pk).values_list(
                Cast("search", TextField()), Cast(search.search_vector(words), TextField())).get()

        keys = dict(Transfer.objects.annotate(key=RECENT_KEY).values_list("pk", "key"))
        recent = dict(TransferWords.objects.values_list("pk", "recent"))
        return recent == keys and all(len(set(texts(pk, b.search_text))) == 1 for pk, b in built.items())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid, body FROM {search.FTS_TABLE}")  # noqa: S608
        indexed = dict(cursor.fetchall())
    return indexed == {pk: b.search_text for pk, b in built.items()}


def assert_current():
    built = readmodel.build(Transfer.objects.values_list("pk", flat=True))
    assert readmodel.stored() == readmodel.expected(built)
    assert search_words_current(built)
    assert readmodel.stale() == []
    assert readmodel.summary.stored() == readmodel.summary.recount()


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def as_editor(editor):
    api = APIClient()
    api.force_authenticate(editor)
    return api


def test_the_articles_fixtures_have_records_as_they_load(article):
    assert_current()
    assert TransferRecord.objects.count() == Transfer.objects.count() > 0


def test_api_writes_keep_the_records_current(as_editor, world):
    assert_current()
    body = {"supplier": "PRK", "recipient": "RUS", "materiel": "artillery-shells", "status": "ordered",
            "via": ["SYR"], "first_reported": "2022-11-02",
            "claims": [{"slug": "new-claim", "source": "wapo", "quote": QUOTE, "credibility": 2}]}
    created = as_editor.post(URL, body, format="json")
    assert created.status_code == 201, created.content
    assert_current()
    slug = created.json()["slug"]
    assert as_editor.patch(f"{URL}{slug}/", {"quantity": 12, "via": ["LBY"]}, format="json").status_code == 200
    assert_current()
    response = as_editor.post(f"{URL}drones/claims/", {"source": "wapo", "quote": QUOTE, "stance": "disputes"},
                              format="json")
    assert response.status_code == 201 and response.json()["contested"] is True
    assert_current()
    response = as_editor.post(f"{URL}drones/events/", {
        "status": "delivered", "date": "2022-12-01", "date_precision": "day", "quantity": 40, "claim": "drones-more",
        "claims": [{"slug": "drones-more", "source": "wapo", "quote": QUOTE, "credibility": 3}],
    }, format="json")
    assert response.status_code == 201, response.content
    assert_current()
    assert TransferRecord.objects.get(transfer__slug="drones").document["deliveries"] == [
        {"year": 2022, "quantity": 40}]
    assert as_editor.delete(f"{URL}{slug}/").status_code == 204
    assert not TransferRecord.objects.filter(transfer__slug=slug).exists()
    assert_current()


def test_a_service_write_builds_each_transfer_it_touches_once(as_editor, world, built):
    body = {"supplier": "PRK", "recipient": "RUS", "materiel": "artillery-shells", "status": "ordered",
            "via": ["SYR", "LBY"], "first_reported": "2022-11-02",
            "claims": [{"slug": f"claim-{n}", "source": "wapo", "quote": QUOTE, "credibility": 2} for n in range(3)],
            "events": [{"status": "ordered", "date": f"2022-11-0{n + 1}", "date_precision": "day",
                        "claim": f"claim-{n}"} for n in range(3)]}
    created = as_editor.post(URL, body, format="json")
    assert created.status_code == 201, created.content
    assert built == [[created.json()["id"]]]  # not once per claim, step and leg
    assert_current()


def test_a_failed_service_write_leaves_no_refresh_pending(as_editor, world):
    body = {"supplier": "PRK", "recipient": "RUS", "materiel": "artillery-shells", "status": "ordered",
            "claims": [{"slug": "bad", "source": "wapo", "quote": "Not in the source: a test text."}]}
    assert as_editor.post(URL, body, format="json").status_code == 400
    claim = Claim.objects.filter(transfer__slug="drones").first()
    record_delete(record=claim)  # outside any service block: refreshed at once
    assert_current()


def test_a_deleted_claim_leaves_its_transfer_current(world):
    claim = Claim.objects.filter(transfer__slug="drones").first()
    record_delete(record=claim)
    assert_current()
    assert claim.slug not in {c["slug"] for c in TransferRecord.objects.get(transfer__slug="drones").document["claims"]}


@pytest.mark.parametrize(("model", "key", "field", "value"), [
    (State, {"iso3": "PRK"}, "name", "Renamed State"), (State, {"iso3": "SYR"}, "iso3", "ZZZ"),
    (Actor, {"slug": "wagner-group"}, "name", "Renamed Actor"), (Actor, {"slug": "white-house"}, "slug", "renamed"),
    (Materiel, {"slug": "artillery-shells"}, "name", "Renamed materiel"),
    (Materiel, {"slug": "artillery-shells"}, "category", "uav"), (Place, {"slug": "crimea"}, "name", "Renamed place"),
    (Source, {"slug": "wapo"}, "slug", "renamed-source"), (SanctionsRegime, {"slug": "un-dprk"}, "slug", "renamed"),
])
def test_a_renamed_reference_carries_its_transfers_documents_with_it(world, model, key, field, value):
    from transfers.models import TransferBreach

    TransferBreach.objects.create(transfer=Transfer.objects.get(slug="shells"), regime=SanctionsRegime.objects.get())
    record = model.objects.get(**key)
    setattr(record, field, value)
    record.save()
    assert_current()
    assert any(value in json.dumps(document) for document in TransferRecord.objects.values_list("document", flat=True))


def test_a_renamed_state_shows_in_its_transfers_and_their_search(client, world):
    state = State.objects.get(iso3="PRK")
    state.name = "Hermit Kingdom"
    state.save()
    assert_current()
    results = client.get(URL, {"q": "hermit"}).json()["results"]
    assert [r["supplier_name"] for r in results] == ["Hermit Kingdom"]


def test_designations_move_the_sanction_flag(world):
    designation = SanctionDesignation.objects.get()
    designation.until = datetime.date(2000, 1, 1)
    designation.save()
    assert_current()
    SanctionDesignation.objects.create(
        slug="wagner", regime=designation.regime, actor=Actor.objects.get(slug="wagner-group"),
        source=Source.objects.get(slug="unsc"), quote="The Security Council imposed sanctions",
    )
    assert_current()
    assert TransferRecord.objects.get(transfer__slug="rifles").sanctioned is True
    designation.delete()
    assert_current()


def test_an_admin_save_keeps_the_record_current(editor_client, admin_world, changeform_data):
    from django.urls import reverse

    transfer = admin_world["transfer"]
    url = reverse("admin:transfers_transfer_change", args=[transfer.pk])
    data = changeform_data(editor_client.get(url))
    data.update({"description": "Changed in the admin", "change_reason": "A test"})
    assert editor_client.post(url, data).status_code == 302
    assert_current()
    assert TransferRecord.objects.get(pk=transfer.pk).document["description"] == "Changed in the admin"


def test_an_admin_save_of_a_transfer_and_its_inline_rows_builds_it_once(
        editor_client, admin_world, changeform_data, built):
    """The page's record and its inline rows are written in one transaction and built into the read
    model once, at its end: never a record locked by one row's refresh while the next row's writes
    take their locks (the write path's lock order, services.records)."""
    from django.urls import reverse

    transfer = admin_world["transfer"]
    url = reverse("admin:transfers_transfer_change", args=[transfer.pk])
    data = changeform_data(editor_client.get(url))
    credibility = [key for key in data if key.endswith("-credibility")]
    assert len(credibility) >= 2, data
    data.update({"description": "Changed in the admin", "change_reason": "A test",
                 credibility[0]: "4", credibility[1]: "5"})
    built.clear()
    assert editor_client.post(url, data).status_code == 302
    assert built == [[transfer.pk]]
    assert_current()
    assert TransferRecord.objects.get(pk=transfer.pk).document["description"] == "Changed in the admin"


def test_a_csv_import_has_records():
    for code in ("AAA", "BBB", "CCC"):
        f.StateFactory(iso3=code)
    f.MaterielFactory(slug="artillery-shells")
    import_transfers_csv(file=StringIO("slug,supplier,recipient,materiel,status,first_reported,via\n"
                                       "t-1,AAA,BBB,artillery-shells,ordered,2020-01-02,CCC\n"
                                       "t-2,AAA,BBB,artillery-shells,delivered,,\n"))
    assert_current()
    assert TransferRecord.objects.count() == 2


def test_synthetic_data_has_records_and_takes_them_away():
    call_command("generate_synthetic", transfers=200, seed=3, states=20, actors=50, materiel=30, sources=40,
                 stdout=StringIO())
    assert_current()
    assert TransferRecord.objects.count() == 200
    delete_synthetic(log=lambda message: None)
    assert_current()
    assert not TransferRecord.objects.exists()


def test_rebuild_read_model_repairs_and_check_reports(world):
    TransferRecord.objects.filter(transfer__slug="drones").update(document={}, contested=True)
    with pytest.raises(SystemExit):
        call_command("rebuild_read_model", check=True, stderr=StringIO())
    out = StringIO()
    call_command("rebuild_read_model", stdout=out)
    assert "Rebuilt 4 transfer records" in out.getvalue()
    assert_current()
    call_command("rebuild_read_model", check=True, stdout=StringIO())


def test_rebuild_read_model_check_reports_a_summary_that_differs_and_a_rebuild_repairs_it(world):
    FacetTally.objects.filter(facet="supplier").update(transfers=99)
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("rebuild_read_model", check=True, stderr=err)
    assert "summary" in err.getvalue()
    call_command("rebuild_read_model", stdout=StringIO())
    assert_current()
