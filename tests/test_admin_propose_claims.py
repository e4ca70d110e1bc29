"""The "Propose claims" page of a source: who may use it, and what accepting and rejecting write."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from transfers.intake.proposals import propose
from transfers.models import Claim, ProposalRejection, Source, Transfer

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def source(db):
    call_command("loaddata", str(FIXTURES / "00_sources.json"), str(FIXTURES / "10_reference.json"), verbosity=0)
    return Source.objects.get()


def page(source):
    return reverse("admin:transfers_source_propose", args=[source.pk])


def post_data(response, decisions: dict[int, str], **edits):
    """The page's formset as shown, with a decision (and edits) for the rows given by number."""
    formset = response.context["formset"]
    data = {f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()}
    for number, form in enumerate(formset.forms):
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            data[form.add_prefix(name)] = "" if value is None else value
        data[form.add_prefix("decision")] = decisions.get(number, "later")
    for key, value in edits.items():
        number, name = key.split("__")
        data[f"{formset.prefix}-{number.lstrip('row')}-{name}"] = value
    return data


def test_the_change_page_links_to_the_proposals(editor_client, source):
    response = editor_client.get(reverse("admin:transfers_source_change", args=[source.pk]))
    assert page(source) in response.content.decode()


def test_a_viewer_may_not_open_the_page(viewer_client, source):
    assert viewer_client.get(page(source)).status_code == 403


def test_the_changelist_action_leads_to_the_page(editor_client, source):
    response = editor_client.post(
        reverse("admin:transfers_source_changelist"), {"action": "propose_claims", "_selected_action": [source.pk]}
    )
    assert response.status_code == 302 and response["Location"] == page(source)


def test_accepting_writes_a_draft_transfer_with_its_claim_and_rejecting_is_remembered(editor_client, source):
    response = editor_client.get(page(source))
    rows = response.context["rows"]
    assert len(rows) == len(propose(source).proposals) > 2
    first = rows[0][1]
    assert first.quote.startswith("The North Korean government")
    response = editor_client.post(page(source), post_data(response, {0: "accept", 1: "reject"}, row0__credibility="3"))
    assert response.status_code == 302, response.context["formset"].errors
    transfer = Transfer.objects.get()
    assert (transfer.supplier.iso3, transfer.recipient.iso3, transfer.materiel.slug) == first.triple
    assert transfer.reviewed_at is None and transfer.status == "in_transit" and transfer.covert
    assert list(transfer.route.values_list("place__slug", flat=True)) == ["middle-east", "north-africa"]
    claim = Claim.objects.get()
    assert (claim.quote, claim.claimant.slug, claim.credibility) == (first.quote, "white-house", 3)
    assert list(transfer.events.values_list("status", "claim")) == [("in_transit", claim.pk)]
    assert ProposalRejection.objects.get().fingerprint == rows[1][1].fingerprint
    # Neither is proposed again.
    again = editor_client.get(page(source)).context["rows"]
    assert len(again) == len(rows) - 2
    assert {first.fingerprint, rows[1][1].fingerprint}.isdisjoint({p.fingerprint for _f, p in again})


def test_an_accepted_proposal_on_the_same_transfer_adds_a_claim_to_it(editor_client, source):
    response = editor_client.get(page(source))
    editor_client.post(page(source), post_data(response, {0: "accept", 1: "accept"}))
    assert Transfer.objects.count() == 1
    assert Claim.objects.count() == 2


def test_an_edited_quote_not_in_the_source_is_refused_and_nothing_is_written(editor_client, source):
    response = editor_client.get(page(source))
    response = editor_client.post(
        page(source), post_data(response, {0: "accept", 1: "reject"}, row0__quote="Words the article never printed.")
    )
    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors
    assert "quote" in errors and "not found" in str(errors["quote"])
    assert not Transfer.objects.exists() and not Claim.objects.exists() and not ProposalRejection.objects.exists()
    # What the analyst typed is still there.
    assert "Words the article never printed." in response.content.decode()


def test_an_unknown_materiel_is_named_on_its_field(editor_client, source):
    response = editor_client.get(page(source))
    response = editor_client.post(page(source), post_data(response, {0: "accept"}, row0__materiel="no-such-thing"))
    assert "No materiel &#x27;no-such-thing&#x27;" in response.content.decode()
    assert not Transfer.objects.exists()
