"""manage.py generate_synthetic: realistic, deterministic synthetic data, known by its keys."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from bench.synthetic import delete_synthetic, generated
from transfers.choices import Stance
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
from transfers.quotes import quote_in_text

from .factories import StateFactory, TransferFactory

pytestmark = pytest.mark.django_db

SMALL = {"states": 30, "actors": 200, "materiel": 100, "sources": 300}


def generate(transfers=2_000, seed=7, **sizes):
    call_command("generate_synthetic", transfers=transfers, seed=seed, **{**SMALL, **sizes}, stdout=None)


def snapshot():
    """The generated data by natural keys, without ids and timestamps, which differ between runs."""
    transfers = list(
        Transfer.objects.order_by("slug").values_list(
            "slug", "supplier__iso3", "recipient__iso3", "supplier_actor__slug", "materiel__slug", "quantity",
            "status", "first_reported", "covert", "description",
        )
    )
    claims = list(
        Claim.objects.order_by("slug").values_list("slug", "transfer__slug", "source__slug", "quote", "stance")
    )
    events = list(
        TransferEvent.objects.order_by("transfer__slug", "date", "status").values_list(
            "transfer__slug", "status", "date", "date_precision", "claim__slug"
        )
    )
    return transfers, claims, events


def test_it_generates_the_requested_volumes(capsys):
    generate()
    assert Transfer.objects.count() == 2_000
    assert State.objects.count() == 30
    assert (Actor.objects.count(), Materiel.objects.count(), Source.objects.count()) == (200, 100, 300)
    per_transfer = Counter(Claim.objects.values("transfer").annotate(n=Count("id")).values_list("n", flat=True))
    assert set(per_transfer) == {1, 2, 3} and sum(per_transfer.values()) == 2_000
    events = Counter(TransferEvent.objects.values("transfer").annotate(n=Count("id")).values_list("n", flat=True))
    assert set(events) == {1, 2, 3} and sum(events.values()) == 2_000
    assert SanctionDesignation.objects.exists() and TransferVia.objects.exists()
    assert "Generated" in capsys.readouterr().out


def test_every_record_is_known_by_its_key_and_curated_data_is_reused_not_taken_for_generated():
    curated = StateFactory(iso3="RUS", name="Russia")
    generate()
    for model in (Transfer, Claim, Actor, Materiel, Source, SanctionDesignation, TransferEvent):
        assert model.objects.exists() and model.objects.count() == generated(model).count(), model
    synthetic_states = generated(State)
    assert synthetic_states.count() == 29 == State.objects.count() - 1
    assert curated not in synthetic_states
    assert all(s.iso3.startswith("X") and s.name.startswith("Synthetic") for s in synthetic_states)
    assert Transfer.objects.filter(slug__startswith="syn7-t-").count() == 2_000


def test_a_few_suppliers_dominate():
    generate(transfers=5_000)
    shares = sorted(Counter(Transfer.objects.values_list("supplier_id", flat=True)).values(), reverse=True)
    assert shares[0] > 0.15 * 5_000  # the top supplier ships well over its 1/30 share
    assert sum(shares[:5]) > 0.5 * 5_000
    assert not Transfer.objects.filter(supplier_id=F("recipient_id")).exists()


def test_some_claims_deny_and_every_quote_stands_in_its_source():
    generate(transfers=5_000)
    denials = Claim.objects.filter(stance=Stance.DENIES).count()
    assert 0.01 * Claim.objects.count() < denials < 0.06 * Claim.objects.count()
    for claim in Claim.objects.select_related("source").order_by("?")[:200]:
        assert quote_in_text(claim.quote, claim.source.text)
    for designation in SanctionDesignation.objects.select_related("source"):
        assert quote_in_text(designation.quote, designation.source.text)


def test_events_rest_on_claims_of_their_own_transfer_and_set_its_status():
    generate(transfers=500)
    assert not TransferEvent.objects.exclude(claim__transfer=F("transfer")).exists()
    for transfer in Transfer.objects.prefetch_related("events")[:100]:
        events = list(transfer.events.all())
        assert transfer.status in {e.status for e in events}
    assert not Transfer.objects.exclude(category=F("materiel__category")).exists()


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not():
    generate(seed=11, transfers=300)
    first = snapshot()
    delete_synthetic(log=lambda message: None)
    assert not Transfer.objects.exists() and not State.objects.exists()
    generate(seed=11, transfers=300)
    assert snapshot() == first
    delete_synthetic(log=lambda message: None)
    generate(seed=12, transfers=300)
    assert [row[1:] for row in snapshot()[0]] != [row[1:] for row in first[0]]


def test_replace_deletes_synthetic_data_but_not_curated_records():
    # "syn" but not the generator's "syn<seed>-": curated.
    curated = TransferFactory(slug="synthetic-fuel-deal", supplier=StateFactory(iso3="XKX", name="Kosovo"))
    generate(transfers=300)
    generate(transfers=100, replace=True)
    assert generated(Transfer).count() == Transfer.objects.count() - 1 == 100
    assert Transfer.objects.filter(pk=curated.pk).exists()
    assert State.objects.filter(iso3="XKX").exists()  # an X.. code, but not a generated State's name


def test_running_again_with_the_same_size_and_seed_changes_nothing(capsys):
    generate(transfers=300)
    generate(transfers=300)
    assert Transfer.objects.count() == 300
    assert "already present" in capsys.readouterr().out
