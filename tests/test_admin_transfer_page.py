"""A transfer's change page: its claims, timeline and route edited inline, at a fixed query cost."""

import datetime

import pytest
from django.urls import reverse

from tests import factories as f
from transfers import models, readmodel

pytestmark = pytest.mark.django_db


def change_url(obj) -> str:
    return reverse(f"admin:transfers_{obj._meta.model_name}_change", args=[obj.pk])


def test_it_shows_claims_with_whether_their_quote_was_found(editor_client, admin_world):
    source = admin_world["source"]
    broken = f.ClaimFactory(transfer=admin_world["transfer"], source=source, quote="the port in March")
    # The source's text is later corrected: the claim's quote no longer stands in it.
    models.Source.objects.filter(pk=source.pk).update(text="Officials said the shipment left in April.")

    response = editor_client.get(change_url(admin_world["transfer"]))

    assert response.status_code == 200
    formsets = {inline.formset.prefix: inline for inline in response.context["inline_admin_formsets"]}
    assert set(formsets) == {"claims", "events", "route", "parties", "breaches"}
    claims = formsets["claims"]
    assert [form.instance for form in claims.formset.forms] == [admin_world["asserts"], admin_world["denies"], broken]
    content = response.content.decode()
    assert content.count("✗ NOT FOUND") == 3
    models.Source.objects.filter(pk=source.pk).update(text=f.SOURCE_TEXT + " the port in March")
    content = editor_client.get(change_url(admin_world["transfer"])).content.decode()
    assert content.count("✓ found") == 3


def test_the_timeline_offers_only_this_transfers_claims(editor_client, admin_world):
    elsewhere = f.ClaimFactory(slug="elsewhere")
    response = editor_client.get(change_url(admin_world["transfer"]))
    events = next(i for i in response.context["inline_admin_formsets"] if i.formset.prefix == "events")
    offered = {value for value, _label in events.formset.forms[0].fields["claim"].choices if value}
    assert offered == {admin_world["asserts"].pk, admin_world["denies"].pk}
    assert elsewhere.pk not in offered


def test_a_timeline_step_cannot_rest_on_another_transfers_claim(editor_client, admin_world, changeform_data):
    elsewhere = f.ClaimFactory(slug="elsewhere")
    data = changeform_data(editor_client.get(change_url(admin_world["transfer"])))
    data["events-0-claim"] = elsewhere.pk
    data["change_reason"] = "Re-source the step"
    response = editor_client.post(change_url(admin_world["transfer"]), data)
    assert response.status_code == 200  # the form again, with the error
    assert "Select a valid choice" in response.content.decode()
    admin_world["event"].refresh_from_db()
    assert admin_world["event"].claim == admin_world["asserts"]


def test_it_adds_a_claim_inline_with_the_change_reason(editor_client, editor, admin_world, changeform_data):
    transfer = admin_world["transfer"]
    data = changeform_data(editor_client.get(change_url(transfer)))
    data.update(
        {
            "claims-TOTAL_FORMS": 3,
            "claims-2-slug": "prk-shells-reuters",
            "claims-2-source": admin_world["source"].pk,
            "claims-2-quote": "Officials said the shipment of rockets left the port",
            "claims-2-stance": "asserts",
            "claims-2-credibility": 3,
            "claims-2-transfer": transfer.pk,
            "change_reason": "Added the Reuters claim",
        }
    )
    response = editor_client.post(change_url(transfer), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    claim = models.Claim.objects.get(slug="prk-shells-reuters")
    assert claim.transfer == transfer
    record = claim.history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        editor,
        "Added the Reuters claim",
    )


def test_a_claim_whose_quote_is_not_in_the_source_is_refused_naming_the_field(
    editor_client, admin_world, changeform_data
):
    transfer = admin_world["transfer"]
    data = changeform_data(editor_client.get(change_url(transfer)))
    data.update(
        {
            "claims-TOTAL_FORMS": 3,
            "claims-2-slug": "invented",
            "claims-2-source": admin_world["source"].pk,
            "claims-2-quote": "Officials said nothing of the kind",
            "claims-2-stance": "asserts",
            "claims-2-credibility": 6,
            "change_reason": "Try an invented quote",
        }
    )
    response = editor_client.post(change_url(transfer), data)
    assert response.status_code == 200
    assert "The quote is not found in the text of source" in response.content.decode()
    assert not models.Claim.objects.filter(slug="invented").exists()


def test_a_change_must_give_its_reason(editor_client, admin_world, changeform_data):
    transfer = admin_world["transfer"]
    data = changeform_data(editor_client.get(change_url(transfer)))
    data["status"] = "delivered"
    data.pop("change_reason", None)
    response = editor_client.post(change_url(transfer), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["change_reason"] == ["This field is required."]
    transfer.refresh_from_db()
    assert transfer.status == "in_transit"


@readmodel.batched()
def transfer_with(claims: int) -> models.Transfer:
    transfer = f.TransferFactory(
        supplier_actor=f.ActorFactory(), recipient_actor=f.ActorFactory(), destination=f.PlaceFactory()
    )
    source = f.SourceFactory()
    for i in range(claims):
        claim = f.ClaimFactory(transfer=transfer, source=source, claimant=f.ActorFactory())
        year = datetime.date(2000 + i, 1, 1)
        f.TransferEventFactory(transfer=transfer, claim=claim, date=year, date_precision="year")
        transfer.route.create(state=f.StateFactory())
        transfer.route.create(place=f.PlaceFactory())
    return transfer


# The transfer's change page costs exactly, whatever the number of claims, steps and route entries:
#   1 session, 1 user, 2 permissions,
#   1 the transfer with every reference joined (its autocompletes then need no query),
#   1 claims (source and claimant joined), 1 timeline steps, 1 the claims offered to the timeline,
#   route and parties (listed once), 1 route legs (States and places joined), 1 parties (joined),
#   1 alleged breaches (regimes joined).
TRANSFER_PAGE_QUERIES = 11


def test_the_change_page_costs_the_same_for_one_claim_or_twenty(editor_client, django_assert_num_queries):
    for size in (1, 20):
        transfer = transfer_with(size)
        editor_client.get(change_url(transfer))  # warms the process-wide content-type cache
        with django_assert_num_queries(TRANSFER_PAGE_QUERIES):
            response = editor_client.get(change_url(transfer))
        assert response.status_code == 200
        assert response.content.decode().count("✓ found") == size


# (The content types the page links with are cached for the process after the first page.)
# The other change pages: 1 session, 1 user, 2 permissions, 1 the record with its references joined,
#   + Source: 1 its claims (first 50, with their transfers and claimants joined).
@pytest.mark.parametrize(
    ("key", "queries"),
    [
        ("prk", 5), ("white_house", 5), ("materiel", 5), ("region", 5), ("source", 6), ("asserts", 5),
        ("event", 5), ("regime", 5), ("designation", 5),
    ],
)
def test_every_change_page_renders_at_a_fixed_cost(editor_client, admin_world, django_assert_num_queries, key, queries):
    obj = admin_world[key]
    editor_client.get(change_url(obj))  # warms the process-wide content-type cache
    with django_assert_num_queries(queries):
        response = editor_client.get(change_url(obj))
    assert response.status_code == 200


def test_a_sources_page_lists_the_claims_that_quote_it(editor_client, admin_world):
    content = editor_client.get(change_url(admin_world["source"])).content.decode()
    assert "claims quoting this source" in content.lower()
    assert "The government denied that any rockets were sent." in content
    assert content.count("✓ found") == 2
    assert reverse("admin:transfers_claim_change", args=[admin_world["denies"].pk]) in content


def test_an_actors_aliases_are_edited_one_per_line(editor_client, admin_world, changeform_data):
    actor = admin_world["white_house"]
    page = editor_client.get(change_url(actor))
    data = changeform_data(page)
    data["aliases"] = "The White House\n  Washington \n\nThe White House\n"
    data["change_reason"] = "Aliases from the article"
    response = editor_client.post(change_url(actor), data)
    assert response.status_code == 302
    actor.refresh_from_db()
    assert actor.aliases == ["The White House", "Washington"]
    # ...and shown back the same way, not as JSON.
    assert "The White House\nWashington</textarea>" in editor_client.get(change_url(actor)).content.decode()


def test_the_autocomplete_for_sources_searches_by_title(editor_client, admin_world):
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"term": "North Korea", "app_label": "transfers", "model_name": "claim", "field_name": "source"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["North Korea ships shells"]



@pytest.mark.parametrize("key", ["asserts", "designation"])
def test_a_claims_own_page_shows_whether_its_quote_was_found(editor_client, admin_world, key):
    content = editor_client.get(change_url(admin_world[key])).content.decode()
    assert "✓ found" in content
