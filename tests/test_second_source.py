"""A second source, encoded as an analyst would: a register extract (a test text written for these
tests, not a real source; tests/data/second_source_register.json). Each of its facts is read back
through the API, where before it fitted only in free-text notes or nowhere."""

from pathlib import Path

import pytest
from django.core.management import call_command

from transfers.models import Source

FIXTURE = Path(__file__).resolve().parent / "data" / "second_source_register.json"
URL = "/api/v1/transfers/"


@pytest.fixture
def register(db):
    call_command("loaddata", str(FIXTURE), verbosity=0)


def transfer(client, slug):
    response = client.get(f"{URL}{slug}/")
    assert response.status_code == 200, response.content
    return response.json()


def slugs(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return sorted(row["slug"] for row in response.json()["results"])


def test_the_source_says_it_is_a_test_text(register):
    text = Source.objects.get(slug="test-register-extract").text
    assert text.startswith("TEST TEXT. This is not a real source: it was written by hand for the arms-transfer "
                           "tracker's automated tests.")


def test_a_designation_with_its_alias_and_broader_kind(client, register):
    body = client.get("/api/v1/materiel/shahed-136/").json()
    assert (body["designation"], body["aliases"], body["kind_of"]) == ("Shahed-136", ["Geran-2"],
                                                                       "loitering-munitions")
    found = client.get("/api/v1/materiel/", {"q": "geran"}).json()["results"]
    assert [m["slug"] for m in found] == ["shahed-136"]
    assert slugs(client, materiel="loitering-munitions") == ["irn-rus-shahed-136-test"]


def test_ordered_and_delivered_an_estimate_and_deliveries_over_years(client, register):
    body = transfer(client, "irn-rus-shahed-136-test")
    assert (body["quantity"], body["quantity_ordered"], body["quantity_delivered"]) == (2400, 2400, 1200)
    assert body["quantity_estimated"] is True
    assert body["quantity_note"] == "about 2,400 (estimate)"
    assert body["deliveries"] == [{"year": 2022, "quantity": 300}, {"year": 2023, "quantity": 900}]
    first = body["events"][0]
    assert (first["date"], first["date_to"], first["date_precision"], first["date_display"], first["quantity"]) == (
        "2022-08-01", "2022-10-01", "month", "2022-08/2022-10", 300
    )


def test_a_broker_and_an_ordered_route_through_ports(client, register):
    body = transfer(client, "irn-rus-shahed-136-test")
    assert body["parties"] == [
        {"role": "broker", "actor": "caspian-freight-brokers", "state": None, "claim": "shahed-broker"}
    ]
    assert body["route"] == [
        {"seq": 1, "state": "IRN", "place": "bandar-abbas", "role": "origin", "mode": "sea", "claim": "shahed-route"},
        {"seq": 2, "state": None, "place": "astrakhan", "role": "transshipment", "mode": "sea",
         "claim": "shahed-route"},
    ]
    assert (body["via"], body["via_regions"]) == ([], ["astrakhan"])
    assert slugs(client, actor="caspian-freight-brokers", role="broker") == ["irn-rus-shahed-136-test"]
    assert slugs(client, actor="caspian-freight-brokers", role="shipper") == []
    # ?place= finds a place on any leg of the route, as it finds a destination.
    assert slugs(client, place="bandar-abbas") == ["irn-rus-shahed-136-test"]
    assert slugs(client, place="tobruk") == ["unknown-libya-rifles-test"]


def test_a_claimant_who_confirms_but_disputes_the_size_makes_the_deal_contested(client, register):
    body = transfer(client, "irn-rus-shahed-136-test")
    spokesperson = next(c for c in body["claims"] if c["slug"] == "shahed-spokesperson")
    assert (spokesperson["stance"], spokesperson["quantity_high"]) == ("disputes", 1000)
    assert body["contested"] is True
    su35 = transfer(client, "rus-irn-su-35-test")
    assert sorted(c["quantity"] for c in su35["claims"]) == [24, 50]
    assert su35["contested"] is True
    assert "rus-irn-su-35-test" in slugs(client, stance="disputes")


def test_a_deal_value_and_sanctions_judged_on_the_deal_s_date(client, register):
    s400 = transfer(client, "rus-ind-s-400-test")
    assert s400["value"] == {"amount": 5400000000, "currency": "USD", "year": 2018, "claim": "s-400-order"}
    assert s400["deliveries"] == [{"year": 2021, "quantity": 1}, {"year": 2022, "quantity": 2}]
    # Russia is designated from 25 February 2022: a deal ordered in 2018 is not "sanctioned"; the
    # drones first delivered in August 2022 are.
    assert s400["sanctioned"] is False
    assert transfer(client, "irn-rus-shahed-136-test")["sanctioned"] is True


def test_an_unidentified_supplier_a_non_state_recipient_a_range_and_a_breach(client, register):
    body = transfer(client, "unknown-libya-rifles-test")
    assert (body["supplier"], body["recipient"], body["recipient_actor"]) == (None, None, "eastern-libya-armed-group")
    assert (body["quantity"], body["quantity_low"], body["quantity_high"]) == (None, 100, 999)
    assert body["quantity_note"] == "hundreds"
    assert body["parties"][0]["role"] == "shipper"
    assert body["route"][0]["place"] == "tobruk"
    assert body["breaches"] == [{"regime": "un-arms-embargo-libya-test", "claim": "rifles-embargo"}]
    assert slugs(client, breaches="un-arms-embargo-libya-test") == ["unknown-libya-rifles-test"]


def test_filters_on_quantities_and_delivery_dates(client, register):
    assert slugs(client, quantity_min=1000) == ["irn-rus-shahed-136-test"]
    assert slugs(client, quantity_max=30) == ["rus-ind-s-400-test", "rus-irn-su-35-test"]
    assert slugs(client, delivered_after="2023-01-01") == ["irn-rus-shahed-136-test"]
    assert slugs(client, delivered_before="2021-06-30") == ["rus-ind-s-400-test"]


def test_places_and_sanctions_are_readable(client, register):
    tobruk = client.get("/api/v1/places/tobruk/").json()
    assert (tobruk["kind"], tobruk["state"]) == ("port", "LBY")
    regimes = client.get("/api/v1/sanctions/").json()["results"]
    eu = next(r for r in regimes if r["slug"] == "eu-sanctions-russia-test")
    assert [(d["state"], d["since"]) for d in eu["designations"]] == [("RUS", "2022-02-25")]
    events = client.get("/api/v1/events/", {"transfer": "rus-ind-s-400-test"}).json()["results"]
    assert [(e["status"], e["date"], e["quantity"]) for e in events] == [
        ("ordered", "2018-01-01", 5), ("delivered", "2021-01-01", 1), ("delivered", "2022-01-01", 2),
    ]
