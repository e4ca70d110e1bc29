"""import_transfers with a register's columns (ordered/delivered, estimates, route legs, parties, an
unknown supplier) and its companion claims file: all in, or nothing."""

import pytest
from django.core.management import CommandError, call_command

from tests.factories import ActorFactory, MaterielFactory, PlaceFactory, SourceFactory, StateFactory
from transfers.models import Claim, Transfer

pytestmark = pytest.mark.django_db

TEXT = ("TEST TEXT written for the tracker's tests, not a real source. Ordered: about 2,400 (estimate). "
        "Broker: Acme Brokers. Hundreds of rifles were landed at Tobruk.")
HEADER = ("slug,supplier,recipient,recipient_actor,materiel,quantity_ordered,quantity_delivered,quantity_low,"
          "quantity_high,quantity_estimated,quantity_note,status,route,parties\n")
ROWS = (
    "irn-rus-drones,IRN,RUS,,drones,2400,1200,,,true,about 2400,delivered,"
    "origin:IRN+bandar-abbas:sea;transshipment:astrakhan:sea,broker:acme-brokers\n"
    "unknown-libya-rifles,unknown,,armed-group,rifles,,,100,999,true,hundreds,delivered,destination:LBY+tobruk:sea,\n"
)
CLAIMS = ("transfer,slug,source,quote,stance,quantity,credibility\n"
          "irn-rus-drones,drones-register,test-text,\"Ordered: about 2,400 (estimate).\",asserts,2400,3\n"
          "irn-rus-drones,drones-broker,test-text,Broker: Acme Brokers.,asserts,,3\n")


@pytest.fixture
def world():
    for iso3 in ("IRN", "RUS", "LBY"):
        StateFactory(iso3=iso3)
    ActorFactory(slug="acme-brokers", kind="company")
    ActorFactory(slug="armed-group", kind="non_state_armed_group")
    MaterielFactory(slug="drones", category="uav")
    MaterielFactory(slug="rifles", category="small_arms")
    for slug in ("bandar-abbas", "astrakhan", "tobruk"):
        PlaceFactory(slug=slug, kind="port")
    SourceFactory(slug="test-text", text=TEXT)


def files(tmp_path, rows=ROWS, claims=CLAIMS):
    transfers, claims_path = tmp_path / "register.csv", tmp_path / "claims.csv"
    transfers.write_text(HEADER + rows, encoding="utf-8")
    claims_path.write_text(claims, encoding="utf-8")
    return str(transfers), str(claims_path)


def test_it_imports_a_register_with_its_claims(world, tmp_path):
    transfers, claims = files(tmp_path)
    call_command("import_transfers", transfers, claims=claims, verbosity=0)
    drones = Transfer.objects.get(slug="irn-rus-drones")
    assert (drones.quantity, drones.quantity_delivered, drones.quantity_estimated) == (2400, 1200, True)
    legs = [(leg.seq, leg.state and leg.state.iso3, leg.place.slug, leg.role, leg.mode) for leg in drones.route.all()]
    assert legs == [(1, "IRN", "bandar-abbas", "origin", "sea"), (2, None, "astrakhan", "transshipment", "sea")]
    assert [(p.role, p.actor.slug) for p in drones.parties.all()] == [("broker", "acme-brokers")]
    assert sorted(drones.claims.values_list("slug", "quantity")) == [("drones-broker", None),
                                                                    ("drones-register", 2400)]
    rifles = Transfer.objects.get(slug="unknown-libya-rifles")
    assert (rifles.supplier, rifles.recipient, rifles.recipient_actor.slug) == (None, None, "armed-group")
    assert (rifles.quantity_low, rifles.quantity_high, rifles.quantity_note) == (100, 999, "hundreds")
    assert drones.history.filter(history_type="+").count() == 1
    assert Claim.history.filter(slug="drones-register", history_type="+").count() == 1


def test_a_bad_claim_loads_nothing_and_names_its_line(world, tmp_path, capsys):
    bad = CLAIMS + "irn-rus-drones,drones-bad,test-text,Not in the text.,asserts,,3\n"
    transfers, claims = files(tmp_path, claims=bad)
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_transfers", transfers, claims=claims, verbosity=0)
    assert "line 4, quote" in capsys.readouterr().err
    assert not Transfer.objects.exists() and not Claim.objects.exists()


@pytest.mark.parametrize("row, field", [
    ("x,,RUS,,drones,,,,,,,ordered,,\n", "supplier"),  # neither a State, 'unknown', nor an actor
    ("x,IRN,RUS,,drones,,,10,5,,,ordered,,\n", "quantity_high"),
    ("x,IRN,RUS,,drones,,,,,,,ordered,transit:nowhere:sea,\n", "route"),
    ("x,IRN,RUS,,drones,,,,,,,ordered,teleport:LBY:sea,\n", "route"),
    ("x,IRN,RUS,,drones,,,,,,,ordered,transit:RUS:sea,\n", "route"),  # the recipient is no transit State
    ("x,IRN,RUS,,drones,,,,,,,ordered,,smuggler:acme-brokers\n", "parties"),
])
def test_a_bad_register_row_is_refused_naming_its_field(world, tmp_path, capsys, row, field):
    transfers, _ = files(tmp_path, rows=row)
    with pytest.raises(CommandError):
        call_command("import_transfers", transfers, verbosity=0)
    assert f"line 2, {field}" in capsys.readouterr().err
    assert not Transfer.objects.exists()
