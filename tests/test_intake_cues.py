"""Article intake on a text written for these tests (tests/data/intake_test_text.txt says so itself):
each cue -- demonym, capital, speaker, "he said" quotes, denial, dispute, route, months, every
status cue -- and a party the database does not know, which is listed and not guessed."""

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command

from tests import factories as f
from transfers.intake.proposals import propose
from transfers.intake.sentences import sentences
from transfers.models import Source, State

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
TEXT = (ROOT / "tests" / "data" / "intake_test_text.txt").read_text()


@pytest.fixture
def intake():
    call_command("loaddata", str(ROOT / "fixtures" / "00_sources.json"), str(ROOT / "fixtures" / "10_reference.json"),
                 verbosity=0)
    # Iran has no government actor in the reference data; a denial by "Tehran" needs one to name.
    f.ActorFactory(slug="iranian-government", name="Iranian government", kind="government",
                   state=State.objects.get(iso3="IRN"))
    source = Source.objects.create(slug="intake-test-text", title="Intake test text", text=TEXT,
                                   published=datetime.date(2023, 5, 10))
    return propose(source)


def by_opening(intake, opening):
    return [p for p in intake.proposals if p.quote.startswith(opening)]


def test_the_text_says_it_is_a_test_text():
    assert TEXT.startswith("This is a test text written for the intake tests")


def test_a_demonym_names_the_supplier_and_used_by_the_recipient(intake):
    [proposal] = by_opening(intake, "Iranian kamikaze")
    assert proposal.triple == ("IRN", "RUS", "kamikaze-attack-drones")
    assert proposal.claimant == "biden-administration"  # "the administration has said"
    assert [e.status for e in proposal.events] == ["delivered"]  # "have been used"


def test_a_route_names_the_transit_state(intake):
    [proposal] = by_opening(intake, "Iran has shipped")
    assert proposal.via == ["SYR"] and proposal.claimant == "kirby"
    assert [e.status for e in proposal.events] == ["in_transit"]


def test_a_denial_by_a_capital_is_the_denial_of_its_government(intake):
    [proposal] = by_opening(intake, "Tehran denied")
    assert proposal.stance == "denies" and proposal.claimant == "iranian-government"
    assert proposal.triple == ("IRN", "RUS", "kamikaze-attack-drones")
    assert proposal.events == []  # a denial reports no step


def test_a_dispute_is_proposed_as_a_denial(intake):
    [proposal] = by_opening(intake, "North Korea rejected")
    assert proposal.stance == "denies" and proposal.claimant == "north-korean-government"
    assert proposal.triple == ("PRK", "SYR", "chemical-weapons-components")


def test_an_unknown_party_is_listed_and_not_guessed(intake):
    assert by_opening(intake, "Ruritania") == []
    [unresolved] = [u for u in intake.unresolved if u.quote.startswith("Ruritania")]
    assert unresolved.names == ["Ruritania"] and unresolved.reason == "no supplier found"


def test_a_month_dates_the_step_to_the_month(intake):
    [proposal] = by_opening(intake, "Back in March")
    assert proposal.triple == ("PRK", "RUS", "ballistic-missiles")  # "Moscow", "from Pyongyang"
    assert proposal.claimant is None
    [event] = proposal.events
    assert (event.status, event.date, event.date_precision) == ("sought", datetime.date(2023, 3, 1), "month")


def test_a_quoted_sentence_after_a_speaker_is_the_speaker_s(intake):
    [purchased] = by_opening(intake, "“Now we have")
    [moving] = by_opening(intake, "“They are on the move")
    assert [e.status for e in purchased.events] == ["ordered"]
    assert [e.status for e in moving.events] == ["in_transit"]
    assert purchased.claimant == moving.claimant == "kirby"
    assert moving.triple == ("PRK", "RUS", "ballistic-missiles")  # carried over


def test_a_warning_of_possible_future_transfers_is_anticipated(intake):
    [proposal] = by_opening(intake, "U.S. officials")
    assert proposal.claimant == "us-officials"
    assert [e.status for e in proposal.events] == ["anticipated"]
    assert proposal.triple == ("PRK", "SYR", "chemical-weapons-components")


def test_sentences_do_not_end_at_abbreviations():
    text = "U.S. officials met Mr. Putin. He said “Yes.” Then: nothing."
    assert [s.text for s in sentences(text)] == ["U.S. officials met Mr. Putin.", "He said “Yes.”", "Then: nothing."]
