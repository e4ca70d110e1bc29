"""The first article (2022-11-02) as curated data: the facts themselves, read back through the ORM.

Every test starts from an empty database and loads ``fixtures/*.json`` the way ``make run`` does:
in one ``loaddata`` call, in file-name order.
"""

import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils.dateparse import parse_datetime

from transfers.models import (
    Actor,
    Claim,
    Materiel,
    Place,
    SanctionDesignation,
    SanctionsRegime,
    Source,
    State,
    Transfer,
    TransferBreach,
    TransferEvent,
    TransferVia,
)
from transfers.selectors import transfer_list

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted(str(path) for path in (ROOT / "fixtures").glob("*.json"))
SEED = ROOT / "seeds" / "000_93bf3122e773a9b5.txt"
SOURCE = "wapo-2022-11-02-dprk-shells"
SHELLS = "prk-rus-artillery-shells-2022"
CURATED = [Source, State, Actor, Materiel, Place, SanctionsRegime, Transfer, TransferVia, TransferBreach, Claim,
           TransferEvent, SanctionDesignation]


@pytest.fixture
def article():
    call_command("loaddata", *FIXTURES, verbosity=0)


def counts():
    return {model.__name__: model.objects.count() for model in CURATED}


def test_the_fixtures_are_split_into_sources_reference_data_and_the_articles_transfers():
    models_by_file = {
        Path(name).name: {obj["model"] for obj in json.loads(Path(name).read_text())} for name in FIXTURES
    }
    assert models_by_file == {
        "00_sources.json": {"transfers.source"},
        "10_reference.json": {"transfers.state", "transfers.actor", "transfers.materiel", "transfers.place",
                              "transfers.sanctionsregime"},
        "20_article_2022-11-02_dprk_shells.json": {"transfers.transfer", "transfers.transfervia",
                                                   "transfers.transferbreach", "transfers.claim",
                                                   "transfers.transferevent", "transfers.sanctiondesignation"},
    }


def test_no_fixture_record_carries_an_integer_id():
    for name in FIXTURES:
        for obj in json.loads(Path(name).read_text()):
            assert "pk" not in obj, (name, obj)
            model = apps.get_model(obj["model"])
            for field in model._meta.get_fields():
                if field.many_to_one and field.name in obj["fields"]:
                    value = obj["fields"][field.name]
                    # A reference is a natural key (a list of ISO3 codes or slugs) or empty.
                    assert value is None or (isinstance(value, list) and all(isinstance(v, str) for v in value)), (
                        name, obj["fields"].get("slug"), field.name)


def test_the_source_stores_the_seed_text_without_its_date_marker(article):
    seed = SEED.read_text(encoding="utf-8")
    marker, _, rest = seed.partition(" The North Korean government")
    assert marker == " date 2022-11-02"
    source = Source.objects.get(slug=SOURCE)
    assert source.text == seed.removeprefix(" date 2022-11-02 ")
    assert source.text.startswith("The North Korean government is covertly funneling")
    assert source.text.endswith("Subscribe to our channel for updates and exclusive video.")
    assert source.published == date(2022, 11, 2)


def test_the_source_names_only_what_its_text_supports(article):
    source = Source.objects.get(slug=SOURCE)
    assert source.publisher == "The Washington Post"
    assert "The Post examined" in source.text and "Washington Post photographers" in source.text
    assert source.authors == ["Ellen Nakashima (contributor)"]
    assert "Ellen Nakashima contributed to this report." in source.text
    # No headline in the text: the title describes the article and says so, plainly (no brackets).
    assert source.title.endswith("(descriptive title: the stored text has no headline)")
    assert "[" not in source.title
    # No URL in the text: none is invented, and the note says why the field is empty.
    assert source.url == ""
    assert "a URL (the url field is empty because the text does not give one" in source.note
    assert "What the stored text gives: its date, 2022-11-02" in source.note
    assert (source.kind, source.reliability) == ("news_report", "B")
    assert "Reliability B" in source.note and "inferred" in source.note


def test_the_shells_go_covertly_from_north_korea_to_russia_and_are_in_transit_not_delivered(article):
    shells = Transfer.objects.select_related("supplier", "recipient", "supplier_actor", "materiel").get(slug=SHELLS)
    assert (shells.supplier.iso3, shells.recipient.iso3) == ("PRK", "RUS")
    assert shells.supplier_actor.slug == "north-korean-government"
    assert (shells.materiel.slug, shells.materiel.category, shells.materiel.un_register_category) == (
        "artillery-shells", "ammunition", "")
    assert shells.covert is True
    assert shells.status == "in_transit"
    assert shells.quantity is None
    assert not shells.events.filter(status="delivered").exists()
    receipt = shells.claims.get(slug="prk-rus-shells-receipt-not-clear")
    assert receipt.quote == "although it was not yet clear whether those shipments were received"
    assert receipt.claimant is None  # the article's own words


def test_the_shells_route_is_two_named_regions_and_no_transit_state(article):
    shells = Transfer.objects.get(slug=SHELLS)
    legs = list(shells.route.order_by("seq"))
    # In the article's order of mention; how they travel is not disclosed (mode unknown).
    assert [(leg.seq, leg.place.slug, leg.place.kind, leg.state_id, leg.role, leg.mode) for leg in legs] == [
        (1, "middle-east", "region", None, "transit", "unknown"),
        (2, "north-africa", "region", None, "transit", "unknown"),
    ]
    assert {leg.claim.slug for leg in legs} == {"prk-rus-shells-white-house"}
    assert "using countries in the Middle East and North Africa" in legs[0].claim.quote
    undisclosed = shells.claims.get(slug="prk-rus-shells-kirby-route-undisclosed")
    assert "which countries are believed to be transfer points" in undisclosed.quote


def test_the_shells_are_claimed_by_the_white_house_and_kirby_and_denied_by_pyongyang(article):
    shells = Transfer.objects.get(slug=SHELLS)
    asserting = set(shells.claims.filter(stance="asserts").values_list("claimant__slug", flat=True))
    assert asserting == {"white-house", "kirby", "biden-administration", None}
    denial = shells.claims.get(stance="denies")
    assert denial.claimant.slug == "north-korean-government"
    assert "Pyongyang" in denial.claimant.aliases
    assert denial.quote.endswith("prompting a vehement denial from Pyongyang")
    assert "Moscow was seeking to purchase" in denial.quote
    assert "denied the earlier U.S. warning that Moscow was seeking to buy" in denial.note
    kirby = Actor.objects.get(slug="kirby")
    assert (kirby.name, kirby.kind, kirby.part_of_id) == ("Kirby", "person", None)
    assert transfer_list().get(slug=SHELLS).contested is True


def test_the_shells_timeline_runs_from_sought_in_september_to_in_transit(article):
    events = TransferEvent.objects.filter(transfer__slug=SHELLS).select_related("claim").order_by("date", "id")
    assert [(e.status, e.date, e.date_precision, e.claim.slug) for e in events] == [
        ("sought", date(2022, 9, 1), "month", "prk-rus-shells-kirby-september"),
        ("ordered", date(2022, 11, 2), "day", "prk-rus-shells-kirby-purchased"),
        ("in_transit", date(2022, 11, 2), "day", "prk-rus-shells-white-house"),
    ]
    assert events[0].date_display == "2022-09"
    assert "Back in September" in events[0].claim.quote
    # The purchase and the shipping dates are not in the article: these are report dates, and say so.
    assert all("not the day it happened" in e.note for e in events[1:])


EXPECTED_TRANSFERS = {
    # slug: (supplier, recipient, materiel category, status, destination)
    SHELLS: ("PRK", "RUS", "ammunition", "in_transit", None),
    "irn-rus-kamikaze-drones-2022": ("IRN", "RUS", "uav", "delivered", None),
    "irn-rus-arms-2022": ("IRN", "RUS", "other", "ordered", None),
    "irn-rus-missiles-anticipated-2022": ("IRN", "RUS", "missile", "anticipated", None),
    "irn-rus-drone-technicians-crimea-2022": ("IRN", "RUS", "services", "delivered", "crimea"),
    "prk-syr-ballistic-missiles": ("PRK", "SYR", "missile", "delivered", None),
    "prk-syr-chemical-weapons-components": ("PRK", "SYR", "wmd_component", "delivered", None),
    "rus-syr-military-patronage": ("RUS", "SYR", "other", "unknown", None),
}


def test_each_transfer_has_its_supplier_recipient_category_and_status(article):
    found = {
        t.slug: (t.supplier.iso3, t.recipient.iso3, t.materiel.category, t.status,
                 t.destination.slug if t.destination else None)
        for t in Transfer.objects.select_related("supplier", "recipient", "materiel", "destination")
    }
    assert found == EXPECTED_TRANSFERS


def test_every_transfer_rests_on_claims_and_every_event_on_a_claim_of_its_own_transfer(article):
    for transfer in Transfer.objects.prefetch_related("claims", "events__claim"):
        assert transfer.claims.all(), transfer.slug
        assert transfer.first_reported == date(2022, 11, 2)
        for event in transfer.events.all():
            assert event.claim.transfer_id == transfer.id, (transfer.slug, event.status)


def test_the_drones_delivery_is_only_implied_and_recorded_as_such(article):
    drones = Transfer.objects.get(slug="irn-rus-kamikaze-drones-2022")
    accusation = drones.claims.get(slug="irn-rus-drones-biden-administration")
    assert accusation.claimant.slug == "biden-administration"
    assert "kamikaze attack drones" in accusation.quote
    delivered = drones.events.get(status="delivered")
    assert delivered.claim.slug == "irn-rus-drones-used-in-attacks"
    assert delivered.claim.credibility >= 3
    assert "Implied" in delivered.claim.note and "in recent weeks" in delivered.claim.note.lower()
    assert "Implied" in delivered.note and "not the day it happened" in delivered.note


def test_missiles_are_only_anticipated_on_a_warning_by_us_officials(article):
    missiles = Transfer.objects.get(slug="irn-rus-missiles-anticipated-2022")
    (claim,) = missiles.claims.all()
    assert claim.quote == "U.S. officials have warned of possible future transfers of missiles."
    assert claim.claimant.slug == "us-officials"
    assert list(missiles.events.values_list("status", flat=True)) == ["anticipated"]
    assert missiles.materiel.un_register_category == ""  # no type given, so no Register category


def test_iranian_technicians_go_to_crimea_which_is_ukrainian_territory_not_a_state(article):
    technicians = Transfer.objects.select_related("destination__state").get(
        slug="irn-rus-drone-technicians-crimea-2022")
    assert technicians.materiel.category == "services"
    crimea = technicians.destination
    assert (crimea.kind, crimea.state.iso3) == ("territory", "UKR")
    assert not State.objects.filter(name__icontains="Crimea").exists()
    assert technicians.claims.get().claimant.slug == "biden-administration"
    assert "to train Russian operatives on the drone systems and to repair them" in technicians.claims.get().quote


def test_the_syria_accusation_names_no_accuser_no_date_and_cannot_be_judged(article):
    for slug, category in [("prk-syr-ballistic-missiles", "missile"),
                           ("prk-syr-chemical-weapons-components", "wmd_component")]:
        transfer = Transfer.objects.select_related("recipient_actor", "materiel").get(slug=slug)
        assert transfer.recipient_actor.slug == "syrian-military"
        assert transfer.materiel.category == category
        (claim,) = transfer.claims.all()
        assert claim.claimant is None
        assert claim.credibility == 6
        assert "has been accused of providing the Syrian military" in claim.quote
        assert not transfer.events.exists()  # no date in the text, none invented
        # The 2019 economic agreement is context, kept in words: it is not an arms deal.
        assert "\"In 2019, the two countries signed an economic cooperation agreement\"" in transfer.description


def test_no_claim_or_designation_is_graded_confirmed_and_every_grade_is_explained(article):
    for record in [*Claim.objects.all(), *SanctionDesignation.objects.all()]:
        assert record.credibility != 1, record.slug
        assert record.note, record.slug


def test_sanctions_on_the_parties_are_recorded_with_their_quotes(article):
    held = set(SanctionDesignation.objects.values_list("regime__slug", "state__iso3"))
    assert held == {
        ("un-sanctions-north-korea", "PRK"),
        ("international-sanctions-north-korea", "PRK"),
        ("international-sanctions-iran", "IRN"),
        ("international-sanctions-russia", "RUS"),
        ("export-controls-russia", "RUS"),
    }
    un = SanctionsRegime.objects.select_related("imposed_by").get(slug="un-sanctions-north-korea")
    assert un.imposed_by.slug == "united-nations"
    assert SanctionsRegime.objects.get(slug="export-controls-russia").kind == "export_controls"
    assert SanctionDesignation.objects.filter(since__isnull=False).count() == 0  # no dates in the article
    assert all(transfer_list().values_list("sanctioned", flat=True))


def test_context_actors_places_and_affiliations_are_recorded_with_provenance(article):
    assert Actor.objects.get(slug="vladimir-putin").part_of.slug == "russian-government"
    assert Actor.objects.get(slug="khalifa-hifter").part_of.slug == "libyan-national-army"
    wagner = Actor.objects.get(slug="wagner-group")
    assert (wagner.kind, wagner.state_id) == ("private_military_company", State.objects.get(iso3="RUS").id)
    assert "reportedly" in wagner.quote and "Reportedly" in wagner.description
    lna = Actor.objects.get(slug="libyan-national-army")
    assert (lna.kind, lna.state.iso3) == ("non_state_armed_group", "LBY")
    for slug, kind in [("tartus-naval-base", "naval_base"), ("hmeimim-air-base", "air_base")]:
        base = Place.objects.get(slug=slug)
        assert (base.kind, base.state.iso3, base.controlled_by.slug) == (kind, "SYR", "russian-government")
        assert "under a bilateral agreement" in base.quote
    for record in [*Actor.objects.all(), *Place.objects.all()]:
        assert record.source.slug == SOURCE and record.quote_found() is True, record.slug


def test_states_carry_iso3_codes_m49_subregions_and_only_aliases_the_article_uses(article):
    states = {s.iso3: (s.name, s.subregion) for s in State.objects.all()}
    assert states == {
        "PRK": ("North Korea", "Eastern Asia"),
        "RUS": ("Russia", "Eastern Europe"),
        "UKR": ("Ukraine", "Eastern Europe"),
        "USA": ("United States", "Northern America"),
        "SYR": ("Syria", "Western Asia"),
        "LBY": ("Libya", "Northern Africa"),
        "IRN": ("Iran", "Southern Asia"),
    }
    text = Source.objects.get(slug=SOURCE).text
    for record in [*State.objects.all(), *Actor.objects.all()]:
        for alias in record.aliases:
            assert alias in text, (record, alias)


def test_every_quote_stands_in_the_stored_text(article):
    assert all(claim.quote_found() for claim in Claim.objects.select_related("source"))
    assert all(d.quote_found() for d in SanctionDesignation.objects.select_related("source"))


def test_loading_the_fixtures_again_duplicates_nothing(article):
    before = counts()
    assert before["Transfer"] == 8 and before["Claim"] == 19 and before["TransferEvent"] == 8
    call_command("loaddata", *FIXTURES, verbosity=0)
    assert counts() == before


def test_each_file_loads_on_an_empty_database_in_file_name_order():
    for name in FIXTURES:
        call_command("loaddata", name, verbosity=0)
    assert counts()["Transfer"] == 8


def test_a_natural_key_dump_loads_back_into_an_empty_database_unchanged(article, tmp_path):
    labels = [model._meta.label_lower for model in CURATED]
    dump = tmp_path / "export.json"
    call_command("dumpdata", *labels, natural_foreign=True, natural_primary=True, indent=2, output=str(dump),
                 verbosity=0)
    exported = json.loads(dump.read_text())
    assert all("pk" not in obj for obj in exported)

    # Empty the tables, children first (every reference is PROTECT).
    for model in [TransferEvent, TransferVia, TransferBreach, Claim, SanctionDesignation, Transfer,
                  SanctionsRegime, Place]:
        model.objects.all().delete()
    Actor.objects.filter(part_of__isnull=False).delete()
    for model in [Actor, Materiel, State, Source]:
        model.objects.all().delete()
    assert not any(counts().values())

    call_command("loaddata", str(dump), verbosity=0)
    again = StringIO()
    call_command("dumpdata", *labels, natural_foreign=True, natural_primary=True, indent=2, stdout=again)
    assert comparable(json.loads(again.getvalue())) == comparable(exported)


def comparable(objects):
    """Timestamps as instants: the JSON encoder writes 12:00:00.000 as 12:00:00, the same moment."""
    for obj in objects:
        for field in ("created_at", "updated_at"):
            if field in obj["fields"]:
                obj["fields"][field] = parse_datetime(obj["fields"][field])
    return objects


def test_the_readme_example_of_a_hand_written_claim_loads_on_top_of_the_article(article):
    # Typed with straight quotes, a hyphen for the em dash and a line break: still the verbatim quote.
    call_command("loaddata", str(ROOT / "tests" / "data" / "example_claim.json"), verbosity=0)
    claim = Claim.objects.select_related("transfer", "claimant").get(slug="prk-rus-shells-on-the-move-example")
    assert (claim.transfer.slug, claim.claimant.slug, claim.credibility) == (SHELLS, "kirby", 3)
    assert claim.quote_found() is True


def test_north_korea_s_supplies_to_syria_are_said_to_defy_un_sanctions(article):
    for slug in ("prk-syr-ballistic-missiles", "prk-syr-chemical-weapons-components"):
        breach = TransferBreach.objects.get(transfer__slug=slug)
        assert breach.regime.slug == "un-sanctions-north-korea"
        assert breach.claim.transfer.slug == slug
        assert "in defiance of U.N. sanctions" in breach.claim.quote
    assert TransferBreach.objects.count() == 2
