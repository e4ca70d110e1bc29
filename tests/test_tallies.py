"""transfers.tallies: after every kind of write, the stored tallies equal a fresh count of the transfers."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from bench.synthetic import delete_synthetic
from tests import factories as f
from transfers import tallies
from transfers.models import NetworkTally, PairTally, StatusTally, Transfer, TransferVia
from transfers.services.imports import import_transfers_csv
from transfers.services.transfers import transfer_create, transfer_update

pytestmark = pytest.mark.django_db


def assert_current():
    stored, counted = tallies.stored(), tallies.counted()
    for name in counted:
        assert stored[name] == counted[name], name


@pytest.fixture
def states():
    return {code: f.StateFactory(iso3=code) for code in ("AAA", "BBB", "CCC", "DDD")}


@pytest.fixture
def transfer(states):
    transfer = f.TransferFactory(supplier=states["AAA"], recipient=states["BBB"])
    TransferVia.objects.create(transfer=transfer, state=states["CCC"])
    return transfer


def test_a_new_transfer_and_its_route_are_counted(transfer, states):
    assert_current()
    assert PairTally.objects.get(supplier=states["AAA"], recipient=states["BBB"]).transfers == 1
    assert tallies.stored()["route"] == {(states["AAA"].pk, states["CCC"].pk, states["BBB"].pk): 1}


@pytest.mark.parametrize("change", [
    {"status": "delivered"},
    {"first_reported": datetime.date(2019, 5, 1)},
    {"first_reported": None},
    {"supplier": "DDD"},
    {"recipient": "CCC"},
])
def test_a_changed_transfer_moves_its_counts(transfer, states, change):
    f.TransferFactory(supplier=states["AAA"], recipient=states["BBB"])  # the old cells keep a count
    for field, value in change.items():
        setattr(transfer, field, states[value] if field in ("supplier", "recipient") else value)
    transfer.save()
    assert_current()


def test_a_recategorised_materiel_moves_its_transfers_counts(transfer):
    transfer.materiel.category = "uav"
    transfer.materiel.save()
    assert_current()
    assert dict(tallies.stored()["year_category"]) == {(2022, "uav"): 1}


def test_a_deleted_transfer_and_its_route_are_uncounted(transfer, states):
    other = f.TransferFactory(supplier=states["AAA"], recipient=states["BBB"])
    transfer.delete()
    assert_current()
    assert tallies.stored()["route"] == {}
    Transfer.objects.filter(pk=other.pk).delete()
    assert_current()
    assert not PairTally.objects.exists() and not StatusTally.objects.exists()


def test_route_steps_added_and_removed_are_counted(transfer, states):
    step = TransferVia.objects.create(transfer=transfer, state=states["DDD"])
    assert_current()
    step.delete()
    assert_current()


def test_the_services_keep_them_current(states):
    materiel = f.MaterielFactory()
    transfer = transfer_create(supplier=states["AAA"], recipient=states["BBB"], materiel=materiel, status="ordered",
                               via=[states["CCC"]])
    assert_current()
    transfer_update(transfer=transfer, data={"supplier": states["DDD"], "via": [states["AAA"], states["CCC"]]})
    assert_current()
    assert tallies.stored()["route"] == {(states["DDD"].pk, states["AAA"].pk, states["BBB"].pk): 1,
                                        (states["DDD"].pk, states["CCC"].pk, states["BBB"].pk): 1}


def test_the_articles_fixtures_are_counted_as_they_load(article):
    assert_current()
    assert sum(tallies.stored()["pair"].values()) == 8


def test_a_csv_import_is_counted(states):
    f.MaterielFactory(slug="artillery-shells")
    csv = ("slug,supplier,recipient,materiel,status,first_reported,via\n"
           "t-1,AAA,BBB,artillery-shells,ordered,2020-01-02,CCC;DDD\n"
           "t-2,AAA,BBB,artillery-shells,delivered,,\n")
    import_transfers_csv(file=StringIO(csv))
    assert_current()
    assert sum(tallies.stored()["pair"].values()) == 2


def test_an_import_adds_to_the_counts_already_stored_and_a_later_write_merges_the_network_rows(transfer, states):
    f.MaterielFactory(slug="artillery-shells")
    csv = ("slug,supplier,recipient,materiel,status,first_reported,via\n"
           "t-1,AAA,BBB,artillery-shells,ordered,2020-01-02,CCC\n"  # the stored transfer's pair and route
           "t-2,CCC,DDD,artillery-shells,delivered,,\n")  # a pair not yet counted
    import_transfers_csv(file=StringIO(csv))
    assert_current()
    assert tallies.stored()["pair"][(states["AAA"].pk, states["BBB"].pk)] == 2
    assert tallies.stored()["route"][(states["AAA"].pk, states["CCC"].pk, states["BBB"].pk)] == 2
    f.ClaimFactory(transfer=Transfer.objects.get(slug="t-1"), credibility=2)  # the pair is recounted
    assert_current()
    keys = list(NetworkTally.objects.filter(supplier=states["AAA"]).values_list("year", "credibility"))
    assert len(keys) == len(set(keys)) == 2  # one row per key again


def test_synthetic_data_is_counted_and_uncounted():
    call_command("generate_synthetic", transfers=300, seed=3, states=20, actors=50, materiel=30, sources=40,
                 stdout=StringIO())
    assert_current()
    assert sum(tallies.stored()["status"].values()) == 300
    delete_synthetic(log=lambda message: None)
    assert_current()
    assert tallies.stored()["status"] == {}


def test_rebuild_tallies_repairs_and_check_reports(transfer):
    PairTally.objects.update(transfers=99)
    with pytest.raises(SystemExit):
        call_command("rebuild_tallies", check=True, stderr=StringIO())
    out = StringIO()
    call_command("rebuild_tallies", stdout=out)
    assert "pair 1 rows" in out.getvalue()
    assert_current()
    call_command("rebuild_tallies", check=True, stdout=StringIO())


def test_claims_move_their_transfers_best_credibility_in_the_network_tallies(transfer, states):
    source = f.SourceFactory()
    assert {key[5] for key in tallies.stored()["network"]} == {None}  # no asserting claim yet
    claim = f.ClaimFactory(transfer=transfer, source=source, credibility=3)
    assert_current()
    assert {key[5] for key in tallies.stored()["network"]} == {3}
    assert {key[6] for key in tallies.stored()["network_route"]} == {3}
    claim.credibility = 2
    claim.save()
    assert_current()
    denial = f.ClaimFactory(transfer=transfer, source=source, stance="denies", credibility=1)
    assert {key[5] for key in tallies.stored()["network"]} == {2}  # a denial is no assertion
    other = f.TransferFactory(supplier=states["DDD"], recipient=states["CCC"])
    denial.transfer = other  # a claim moved to another transfer recounts both pairs
    denial.stance = "asserts"
    denial.save()
    assert_current()
    claim.delete()
    assert_current()
    assert {key[5] for key in tallies.stored()["network"] if key[:2] == (states["AAA"].pk, states["BBB"].pk)} == {
        None}
