"""Article intake on the first article: how much of the curated record the proposals recover.

The world: the article's source and reference data (States, actors, materiel, places) loaded from
the fixtures, its transfers and claims left out. The curated claims are read from the article's
fixture and compared with what ``propose`` makes of the stored text; the figures are computed here,
printed (``pytest -s``), and held to the issue's thresholds.
"""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from transfers.intake.proposals import PROPOSAL_MARK, draft_fixture, propose
from transfers.models import Claim, ProposalRejection, Source, Transfer, TransferEvent
from transfers.quotes import normalize, quote_in_text
from transfers.services.intake import proposal_reject

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
ARTICLE = FIXTURES / "20_article_2022-11-02_dprk_shells.json"
SOURCE = "wapo-2022-11-02-dprk-shells"


@pytest.fixture
def reference_only():
    """The source and the reference data, without the article's transfers and claims."""
    call_command("loaddata", str(FIXTURES / "00_sources.json"), str(FIXTURES / "10_reference.json"), verbosity=0)
    return Source.objects.get(slug=SOURCE)


def curated():
    """(quote, (supplier, recipient, materiel)) of every curated claim, from the article's fixture."""
    records = json.loads(ARTICLE.read_text())
    transfers = {
        r["fields"]["slug"]: (r["fields"]["supplier"][0], r["fields"]["recipient"][0], r["fields"]["materiel"][0])
        for r in records if r["model"] == "transfers.transfer"
    }
    claims = [(r["fields"]["quote"], transfers[r["fields"]["transfer"][0]])
              for r in records if r["model"] == "transfers.claim"]
    return claims, set(transfers.values())


def covers(proposed: str, curated_quote: str) -> bool:
    """The curated quote lies within the proposed one, or overlaps it by most of its length."""
    proposed, curated_quote = normalize(proposed), normalize(curated_quote)
    if curated_quote in proposed:
        return True
    # The longest stretch of the curated quote that stands in the proposed one.
    longest = max(
        (end - start for start in range(len(curated_quote)) for end in range(len(curated_quote), start, -1)
         if curated_quote[start:end] in proposed and end - start > 0),
        default=0,
    )
    return longest > len(curated_quote) / 2


def figures(intake):
    claims, triples = curated()
    proposals = intake.proposals
    covered = [c for c in claims if any(covers(p.quote, c[0]) for p in proposals)]
    covered_on_triple = [c for c in claims if any(covers(p.quote, c[0]) and p.triple == c[1] for p in proposals)]
    useful = [p for p in proposals if any(covers(p.quote, quote) for quote, _t in claims)]
    right = [p for p in proposals if any(covers(p.quote, quote) and p.triple == triple for quote, triple in claims)]
    proposed_triples = {p.triple for p in proposals}
    return {
        "claims": len(claims),
        "covered": len(covered),
        "covered_on_triple": len(covered_on_triple),
        "misses": [c for c in claims if c not in covered_on_triple],
        "proposals": len(proposals),
        "quote_precision": len(useful) / len(proposals),
        "claim_precision": len(right) / len(proposals),
        "wrong": [(p.quote[:50], p.triple) for p in proposals if p not in right],
        "triples": triples,
        "proposed_triples": proposed_triples,
        "triple_precision": len(proposed_triples & triples) / len(proposed_triples),
    }


def test_it_recovers_at_least_90_percent_of_the_curated_claims_and_every_triple(reference_only):
    result = figures(propose(reference_only))
    print(
        f"\ncurated claims covered: {result['covered']}/{result['claims']} by quote, "
        f"{result['covered_on_triple']}/{result['claims']} by quote on the same triple; "
        f"triples {len(result['proposed_triples'] & result['triples'])}/{len(result['triples'])}; "
        f"precision: {result['quote_precision']:.2f} of {result['proposals']} proposals quote a curated claim, "
        f"{result['claim_precision']:.2f} quote one on the same triple (others: {result['wrong']}), "
        f"{result['triple_precision']:.2f} of {len(result['proposed_triples'])} proposed triples are curated; "
        f"misses: {result['misses']}; extra triples: {result['proposed_triples'] - result['triples']}"
    )
    assert result["covered_on_triple"] / result["claims"] >= 0.9, result["misses"]
    assert result["triples"] <= result["proposed_triples"]
    assert len(result["triples"]) == 8
    # Precision as measured when the issue was closed (1.00, 1.00 and 1.00): a rule that starts
    # proposing unrelated sentences, wrong parties or triples fails here.
    assert result["quote_precision"] >= 0.9
    assert result["claim_precision"] >= 0.9
    assert result["triple_precision"] >= 0.9


def test_it_proposes_the_curated_stances_claimants_and_steps(reference_only):
    proposals = propose(reference_only).proposals
    denial = [p for p in proposals if p.stance == "denies"]
    assert [(p.claimant, p.triple) for p in denial] == [
        ("north-korean-government", ("PRK", "RUS", "artillery-shells"))
    ]
    assert quote_in_text("the Biden administration warned that Moscow was seeking to purchase such materiel",
                         next(p.quote for p in proposals if p.stance == "asserts" and p.sentence == denial[0].sentence))
    by_start = {p.quote[:30]: p for p in proposals}
    assert by_start["The North Korean government is"].claimant == "white-house"
    assert by_start["The North Korean government is"].via_regions == ["middle-east", "north-africa"]
    assert by_start["The North Korean government is"].covert
    assert [e.status for e in by_start["“Back in September, we had ind"].events] == ["sought"]
    assert by_start["“Back in September, we had ind"].events[0].date.isoformat() == "2022-09-01"
    assert by_start["“Back in September, we had ind"].claimant == "kirby"  # "he said"
    assert [e.status for e in by_start["“Now we have indications that "].events] == ["ordered", "in_transit"]
    assert [e.status for e in by_start["U.S. officials have warned of "].events] == ["anticipated"]
    assert by_start["U.S. officials have warned of "].claimant == "us-officials"
    technicians = [p for p in proposals if p.materiel == "drone-technicians" and p.sentence == 16]
    assert technicians[0].destination == "crimea" and technicians[0].claimant == "biden-administration"


def test_every_proposed_quote_is_a_slice_of_the_stored_text(reference_only):
    for proposal in propose(reference_only).proposals:
        assert proposal.quote in reference_only.text


def test_the_draft_loads_with_loaddata_and_marks_every_record_as_a_proposal(reference_only, tmp_path):
    draft = tmp_path / "draft.json"
    out = StringIO()
    call_command("propose_claims", source=SOURCE, output=str(draft), stdout=out)
    assert "on 8 supplier → recipient → materiel triples" in out.getvalue()
    records = json.loads(draft.read_text())
    assert all("pk" not in r for r in records)
    notes = [r["fields"].get("note") or r["fields"].get("description") for r in records
             if r["model"] in ("transfers.claim", "transfers.transfer", "transfers.transferevent")]
    assert notes and all(PROPOSAL_MARK in note for note in notes)
    call_command("loaddata", str(draft), verbosity=0)
    assert Claim.objects.count() == sum(r["model"] == "transfers.claim" for r in records)
    assert Transfer.objects.count() == 8
    assert not Transfer.objects.filter(reviewed_at__isnull=False).exists()
    assert all(claim.quote_found() for claim in Claim.objects.select_related("source"))
    shells = Transfer.objects.get(slug="prk-rus-artillery-shells-2022")
    assert shells.status == "in_transit" and shells.covert
    assert set(TransferEvent.objects.filter(transfer=shells).values_list("status", flat=True)) == {
        "sought", "ordered", "in_transit"
    }


def test_a_second_run_proposes_nothing_already_loaded(reference_only, tmp_path):
    draft = tmp_path / "draft.json"
    call_command("propose_claims", source=SOURCE, output=str(draft), stdout=StringIO())
    call_command("loaddata", str(draft), verbosity=0)
    again = propose(reference_only)
    assert again.proposals == []
    assert again.recorded == Claim.objects.count() > 0


def test_on_the_curated_article_proposals_point_at_the_existing_transfers():
    call_command("loaddata", *sorted(str(p) for p in FIXTURES.glob("*.json")), verbosity=0)
    source = Source.objects.get(slug=SOURCE)
    # The curated claims quote parts of these sentences: they count as recorded, not proposed again.
    assert propose(source).proposals == []
    # Without the drones' claims, their sentences are proposed again, on the curated transfer.
    drones = Transfer.objects.get(slug="irn-rus-kamikaze-drones-2022")
    TransferEvent.objects.filter(transfer=drones).delete()
    drones.claims.all().delete()
    proposals = propose(source).proposals
    assert proposals and {p.transfer for p in proposals} == {"irn-rus-kamikaze-drones-2022"}


def test_a_rejected_proposal_is_not_proposed_again(reference_only, django_user_model):
    first = propose(reference_only)
    target = first.proposals[0]
    proposal_reject(source=reference_only, proposal=target, user=None, reason="test")
    second = propose(reference_only)
    assert target.fingerprint not in {p.fingerprint for p in second.proposals}
    assert second.rejected == 1
    assert len(second.proposals) == len(first.proposals) - 1
    assert ProposalRejection.objects.get().summary == target.summary


def test_the_draft_of_an_unknown_source_is_refused_by_name():
    with pytest.raises(CommandError, match="--source: no source with slug 'nope'"):
        call_command("propose_claims", source="nope", stdout=StringIO())


def test_draft_fixture_names_every_record_by_natural_key(reference_only):
    records = draft_fixture(propose(reference_only))
    claims = [r for r in records if r["model"] == "transfers.claim"]
    assert all(r["fields"]["source"] == [SOURCE] for r in claims)
    assert len({r["fields"]["slug"] for r in claims}) == len(claims)


def test_proposing_takes_a_fixed_number_of_queries_whatever_the_text(reference_only, django_assert_num_queries):
    # States, actors, places, materiel (the gazetteer); materiel kind_of (broader); the matching
    # transfers; the source's rejections; its recorded claims. Nothing per sentence or per name.
    with django_assert_num_queries(8):
        propose(reference_only)
    Source.objects.filter(pk=reference_only.pk).update(text=reference_only.text * 3)
    reference_only.refresh_from_db()
    with django_assert_num_queries(8):
        propose(reference_only)
