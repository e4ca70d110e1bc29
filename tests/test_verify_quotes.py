"""``manage.py verify_quotes``: every stored quote must stand in its source's stored text.

The pre_save signal refuses a bad quote on save, so a miss is produced the way it happens in real
life: the source's text is changed afterwards by a path that skips signals (``QuerySet.update``).
"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from transfers.models import Actor, Claim, Place, SanctionDesignation, Source

pytestmark = pytest.mark.django_db

FIXTURES = sorted(str(p) for p in (Path(__file__).resolve().parent.parent / "fixtures").glob("*.json"))
SOURCE = "wapo-2022-11-02-dprk-shells"


@pytest.fixture
def article():
    call_command("loaddata", *FIXTURES, verbosity=0)


def run() -> str:
    out = StringIO()
    call_command("verify_quotes", stdout=out)
    return out.getvalue()


def replace_in_source(old: str, new: str):
    text = Source.objects.get(slug=SOURCE).text
    assert old in text
    Source.objects.filter(slug=SOURCE).update(text=text.replace(old, new))


def test_it_finds_every_quote_of_the_article(article):
    total = Claim.objects.count() + SanctionDesignation.objects.count() + \
        Actor.objects.exclude(quote="").count() + Place.objects.exclude(quote="").count()
    assert total == 42
    assert f"Checked {total} quote(s) against 1 source(s): 0 not found." in run()


def test_it_lists_each_claim_whose_quote_is_gone_with_its_transfer_and_source_and_fails(article):
    replace_in_source("prompting a vehement denial", "prompting a denial")
    out = StringIO()
    with pytest.raises(CommandError, match=r"1 not found"):
        call_command("verify_quotes", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("NOT FOUND")]
    assert lines == [
        "NOT FOUND  transfers.Claim 'prk-rus-shells-pyongyang-denial' (transfer 'prk-rus-artillery-shells-2022') "
        "in source 'wapo-2022-11-02-dprk-shells': 'the Biden administration warned that Moscow was seeking to "
        "purchase such materiel, prompting a vehement denial from Pyongyang'"
    ]


def test_it_checks_designations_actors_and_places_too(article):
    # Tartus and Hmeimim share a quote; the U.N. sanctions designation and the U.N. actor quote "U.N. sanctions".
    replace_in_source("as well as Hmeimim air base", "and Hmeimim")
    replace_in_source("in defiance of U.N. sanctions", "in defiance of sanctions")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_quotes", stdout=out)
    missed = out.getvalue()
    assert "transfers.Place 'tartus-naval-base'" in missed
    assert "transfers.Place 'hmeimim-air-base'" in missed
    assert "transfers.Actor 'united-nations'" in missed
    assert "transfers.SanctionDesignation 'un-sanctions-north-korea-prk' (regime 'un-sanctions-north-korea')" in missed
    assert "transfers.Claim 'prk-syr-ballistic-missiles-accused'" in missed


def test_it_agrees_with_each_claims_own_check_shown_in_the_admin(article):
    replace_in_source("“Back in September,", "Back in September:")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_quotes", stdout=out)
    failing = {claim.slug for claim in Claim.objects.select_related("source") if not claim.quote_found()}
    assert failing == {"prk-rus-shells-kirby-september"}
    assert {line.split("'")[1] for line in out.getvalue().splitlines() if "transfers.Claim" in line} == failing


def test_it_folds_quote_marks_dashes_and_line_breaks_and_nothing_else(article):
    claim = Claim.objects.get(slug="prk-rus-shells-kirby-purchased")
    # As an analyst types it: straight quotes, a hyphen for the em dash, the line re-wrapped.
    typed = '"Now we have indications that Russia has purchased -\n and they\'re on the move."'
    Claim.objects.filter(pk=claim.pk).update(quote=typed)
    assert "0 not found" in run()
    # A change of case is a different quote.
    Claim.objects.filter(pk=claim.pk).update(quote=typed.replace("Now", "now"))
    with pytest.raises(CommandError, match="1 not found"):
        run()


def test_it_can_check_one_source_and_refuses_an_unknown_one(article):
    out = StringIO()
    call_command("verify_quotes", "--source", SOURCE, stdout=out)
    assert "against 1 source(s): 0 not found" in out.getvalue()
    with pytest.raises(CommandError, match="No source with slug: nope"):
        call_command("verify_quotes", "--source", "nope", stdout=StringIO())


def test_it_runs_in_a_fixed_number_of_queries_however_many_quotes(article, django_assert_num_queries):
    # 1 the sources' texts; 2 claims (joined to their transfer); 3 designations (joined to the regime);
    # 4 actors; 5 places.
    with django_assert_num_queries(5):
        run()
