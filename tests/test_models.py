"""The domain model's integrity rules, enforced by the database on SQLite and PostgreSQL alike.

Each rule is an attempt that must fail with an error naming the rule, plus the happy path.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError

from transfers.models import (
    Actor,
    Claim,
    Materiel,
    SanctionDesignation,
    Source,
    State,
    Transfer,
    TransferEvent,
    TransferVia,
)
from transfers.selectors import transfer_list

from .factories import (
    ActorFactory,
    ClaimFactory,
    MaterielFactory,
    PlaceFactory,
    SanctionsRegimeFactory,
    SourceFactory,
    StateFactory,
    TransferEventFactory,
    TransferFactory,
)

pytestmark = pytest.mark.django_db


def violates(name):
    """Context: the statement must fail in the database with an error that names ``name``."""
    return pytest.raises(IntegrityError, match=name)


def test_a_transfer_with_its_route_claims_and_timeline_can_be_recorded():
    transfer = TransferFactory(quantity=None, covert=True)
    TransferVia.objects.create(transfer=transfer, state=StateFactory(iso3="SYR"))
    TransferVia.objects.create(transfer=transfer, place=PlaceFactory(slug="middle-east"))
    claim = ClaimFactory(transfer=transfer)
    TransferEventFactory(transfer=transfer, claim=claim)

    loaded = Transfer.objects.get(slug=transfer.slug)
    assert [(leg.seq, leg.state and leg.state.iso3, leg.place and leg.place.slug) for leg in loaded.route.all()] == [
        (1, "SYR", None), (2, None, "middle-east"),
    ]
    assert loaded.claims.get().quote_found() is True
    assert loaded.events.get().date_display == "2022-03"
    assert loaded.quantity is None


def test_it_refuses_a_transfer_whose_supplier_is_its_recipient():
    state = StateFactory()
    with violates("transfer_supplier_not_recipient"), transaction.atomic():
        TransferFactory(supplier=state, recipient=state)


def test_full_clean_explains_the_supplier_recipient_rule_in_words():
    state = StateFactory()
    transfer = TransferFactory.build(supplier=state, recipient=state, materiel=MaterielFactory())
    with pytest.raises(ValidationError, match="supplier and the recipient must be different"):
        transfer.full_clean()


def test_it_refuses_a_negative_quantity():
    with violates("transfer_quantity_not_negative"), transaction.atomic():
        TransferFactory(quantity=-1)


def test_a_quantity_of_zero_is_allowed():
    assert TransferFactory(quantity=0).quantity == 0


@pytest.mark.parametrize(
    ("factory", "field", "value", "constraint"),
    [
        (TransferFactory, "status", "rumoured", "transfer_status_valid"),
        (MaterielFactory, "category", "lasers", "materiel_category_valid"),
        (MaterielFactory, "un_register_category", "IX", "materiel_un_register_category_valid"),
        (ActorFactory, "kind", "wizard", "actor_kind_valid"),
        (SourceFactory, "reliability", "G", "source_reliability_valid"),
        (SourceFactory, "kind", "rumour", "source_kind_valid"),
        (ClaimFactory, "stance", "maybe", "claim_stance_valid"),
        (ClaimFactory, "credibility", 7, "claim_credibility_valid"),
        (TransferEventFactory, "date_precision", "week", "transferevent_date_precision_valid"),
        (StateFactory, "subregion", "Atlantis", "state_subregion_valid"),
    ],
)
def test_it_refuses_a_value_outside_its_vocabulary(factory, field, value, constraint):
    with violates(constraint), transaction.atomic():
        factory(**{field: value})


def test_it_refuses_an_iso3_code_that_is_not_three_capitals():
    with violates("state_iso3_format"), transaction.atomic():
        State.objects.create(iso3="rus", name="Russia")


@pytest.mark.parametrize(
    ("model", "kwargs", "column"),
    [
        (State, {"iso3": "RUS", "name": "Russia"}, "iso3"),
        (Actor, {"slug": "wagner-group", "name": "Wagner Group"}, "slug"),
        (Materiel, {"slug": "shells", "name": "Shells", "category": "ammunition"}, "slug"),
        (Source, {"slug": "article", "title": "An article", "text": "Text."}, "slug"),
    ],
)
def test_natural_keys_are_unique(model, kwargs, column):
    model.objects.create(**kwargs)
    with violates(column), transaction.atomic():
        model.objects.create(**kwargs)


def test_natural_keys_round_trip_for_every_model():
    transfer = TransferFactory()
    claim = ClaimFactory(transfer=transfer)
    event = TransferEventFactory(transfer=transfer, claim=claim)
    via = TransferVia.objects.create(transfer=transfer, state=StateFactory())
    for obj in (transfer.supplier, transfer.materiel, claim.source, transfer, claim, event, via, ActorFactory()):
        manager = type(obj)._default_manager
        assert manager.get_by_natural_key(*obj.natural_key()) == obj


def test_deleting_a_state_with_transfers_is_refused():
    transfer = TransferFactory()
    with pytest.raises(ProtectedError):
        transfer.supplier.delete()
    assert State.objects.filter(pk=transfer.supplier_id).exists()


@pytest.mark.parametrize(
    "target",
    [
        lambda t, c: t.recipient,
        lambda t, c: t.materiel,
        lambda t, c: t.supplier_actor,
        lambda t, c: c.source,
        lambda t, c: c.claimant,
        lambda t, c: t.destination,
        lambda t, c: t.route.get().state,
    ],
    ids=["recipient", "materiel", "supplier_actor", "source", "claimant", "destination", "transit_state"],
)
def test_deleting_anything_a_transfer_or_claim_depends_on_is_refused(target):
    transfer = TransferFactory(supplier_actor=ActorFactory(), destination=PlaceFactory())
    TransferVia.objects.create(transfer=transfer, state=StateFactory())
    claim = ClaimFactory(transfer=transfer, claimant=ActorFactory())
    obj = target(transfer, claim)
    with pytest.raises(ProtectedError):
        obj.delete()
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_deleting_a_claim_that_an_event_rests_on_is_refused_but_the_transfer_takes_both():
    claim = ClaimFactory()
    TransferEventFactory(transfer=claim.transfer, claim=claim)
    with pytest.raises(RestrictedError):
        claim.delete()
    claim.transfer.delete()
    assert not Claim.objects.exists()
    assert not TransferEvent.objects.exists()


def test_a_claim_whose_quote_is_not_in_its_source_is_refused_on_save():
    with pytest.raises(ValidationError, match="quote is not found in the text of source"):
        ClaimFactory(quote="the shipment of tanks left the port")
    assert not Claim.objects.exists()


def test_quote_matching_folds_quotes_dashes_and_whitespace_only():
    source = SourceFactory(text="He said: \u201cWe\u2019re sure\u201d \u2014 and\nleft.")
    assert ClaimFactory(source=source, quote='He said: "We\'re sure" - and   left.').quote_found()
    with pytest.raises(ValidationError):
        ClaimFactory(source=source, quote='he said: "we\'re sure"')  # case is not folded


def test_an_event_must_rest_on_a_claim_of_its_own_transfer():
    event = TransferEventFactory.build(transfer=TransferFactory(), claim=ClaimFactory(), date_precision="day")
    with pytest.raises(ValidationError, match="same transfer"):
        event.full_clean()


def test_a_month_precision_date_is_the_first_of_its_month():
    event = TransferEventFactory.build(transfer=TransferFactory(), date=datetime.date(2022, 9, 15))
    with pytest.raises(ValidationError, match="first day of its month"):
        event.full_clean()


def test_two_events_of_the_same_status_on_the_same_date_are_refused():
    event = TransferEventFactory()
    with violates("transferevent"), transaction.atomic():
        TransferEventFactory(transfer=event.transfer, date=event.date, status=event.status)


def test_a_sanction_designation_names_exactly_one_target():
    source = SourceFactory(text="Both are under heavy international sanctions.")
    regime = SanctionsRegimeFactory()
    with violates("sanctiondesignation_one_target"), transaction.atomic():
        SanctionDesignation.objects.create(
            slug="both", regime=regime, state=StateFactory(), actor=ActorFactory(), source=source,
            quote="under heavy international sanctions",
        )


def test_a_transfer_with_a_sanctioned_party_is_flagged_and_a_denied_one_is_contested():
    transfer = TransferFactory()
    other = TransferFactory()
    source = SourceFactory(text="Both are under heavy international sanctions.")
    SanctionDesignation.objects.create(
        slug="d", regime=SanctionsRegimeFactory(), state=transfer.supplier, source=source,
        quote="under heavy international sanctions",
    )
    ClaimFactory(transfer=transfer, stance="denies", quote="The government denied that any rockets were sent.")
    flags = {t.pk: (t.sanctioned, t.contested) for t in transfer_list()}
    assert flags == {transfer.pk: (True, True), other.pk: (False, False)}
