"""Every model's changelist: it lists, searches and filters, and costs the same at any size."""

import datetime

import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.urls import reverse

from tests import factories as f
from transfers import models, readmodel

pytestmark = pytest.mark.django_db

MODELS = [
    models.State,
    models.Actor,
    models.Materiel,
    models.Place,
    models.Source,
    models.Transfer,
    models.Claim,
    models.TransferEvent,
    models.SanctionsRegime,
    models.SanctionDesignation,
]


def changelist(model) -> str:
    return reverse(f"admin:transfers_{model._meta.model_name}_changelist")


def listed(response) -> list:
    return list(response.context["cl"].result_list)


def test_every_model_is_registered_without_full_counts():
    for model in MODELS:
        model_admin = site._registry[model]
        assert model_admin.show_full_result_count is False, model
        assert model_admin.paginator.__name__ == "EstimatedCountPaginator", model


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_every_changelist_lists_its_records(editor_client, admin_world, model):
    response = editor_client.get(changelist(model))
    assert response.status_code == 200
    assert len(listed(response)) >= 1


# (model, search term, what it must find, what it must not)
SEARCHES = [
    (models.State, "PRK", "prk", "rus"),
    (models.State, "Rus", "rus", "prk"),
    (models.Actor, "White", "white_house", "unsc"),
    (models.Materiel, "artillery-shells", "materiel", None),
    (models.Place, "Middle", "region", None),
    (models.Source, "wapo-dprk-shells", "source", None),
    (models.Transfer, "PRK", "transfer", "other_transfer"),
    (models.Transfer, "Covert", "transfer", "other_transfer"),
    (models.Transfer, "North", "transfer", "other_transfer"),
    (models.Claim, "prk-denies", "denies", "asserts"),
    (models.Claim, "denied that any", "denies", "asserts"),
    (models.TransferEvent, "prk-rus-shells", "event", "other_event"),
    (models.SanctionsRegime, "U.N.", "regime", None),
    (models.SanctionDesignation, "PRK", "designation", None),
]


@pytest.mark.parametrize(("model", "term", "hit", "miss"), SEARCHES, ids=lambda v: getattr(v, "__name__", str(v)))
def test_search_finds_the_record_and_only_matching_ones(editor_client, admin_world, model, term, hit, miss):
    admin_world["other_transfer"] = f.TransferFactory(slug="other")
    admin_world["other_event"] = f.TransferEventFactory(transfer=admin_world["other_transfer"])
    result = listed(editor_client.get(changelist(model), {"q": term}))
    assert admin_world[hit] in result
    if miss:
        assert admin_world[miss] not in result


@pytest.fixture
def two_transfers(admin_world):
    """The sanctioned, contested PRK→RUS transfer, and a plain, uncontested one reviewed by someone."""
    other = f.TransferFactory(slug="plain", status="delivered", covert=True, first_reported=None)
    f.ClaimFactory(transfer=other)
    models.Transfer.objects.filter(pk=other.pk).update(reviewed_at="2024-01-01T00:00:00Z")
    return admin_world["transfer"], other


@pytest.mark.parametrize(
    ("params", "expect"),
    [
        ({"status__exact": "in_transit"}, "sanctioned"),
        ({"status__exact": "delivered"}, "plain"),
        ({"category__exact": "ammunition"}, "both"),
        ({"category__exact": "uav"}, "none"),
        ({"supplier__id__exact": "PRK"}, "sanctioned"),
        ({"recipient__id__exact": "RUS"}, "sanctioned"),
        ({"sanctioned": "yes"}, "sanctioned"),
        ({"sanctioned": "no"}, "plain"),
        ({"contested": "yes"}, "sanctioned"),
        ({"contested": "no"}, "plain"),
        ({"review": "reviewed"}, "plain"),
        ({"review": "draft"}, "sanctioned"),
        ({"covert__exact": "1"}, "plain"),
        ({"first_reported__isnull": "True"}, "plain"),
        ({"reported_year": "2022"}, "sanctioned"),
        ({"reported_year": "2021"}, "none"),
    ],
    ids=lambda v: "&".join(v) if isinstance(v, dict) else v,
)
def test_transfer_filters_narrow_the_list(editor_client, two_transfers, params, expect):
    sanctioned, plain = two_transfers
    params = {k: (str(sanctioned.supplier_id) if v == "PRK" else str(sanctioned.recipient_id) if v == "RUS" else v)
              for k, v in params.items()}
    result = set(listed(editor_client.get(changelist(models.Transfer), params)))
    assert result == {"sanctioned": {sanctioned}, "plain": {plain}, "both": {sanctioned, plain}, "none": set()}[expect]


def test_the_transfer_list_shows_its_flags(editor_client, admin_world):
    content = editor_client.get(changelist(models.Transfer)).content.decode()
    for text in ("PRK", "RUS", "Artillery shells", "Ammunition", "sanctioned", "contested", "reviewed"):
        assert text in content
    assert "SYR · Middle East" in content  # the route column


def test_other_filters_narrow_their_lists(editor_client, admin_world):
    f.ClaimFactory(slug="confirmed", credibility=1)
    claims = listed(editor_client.get(changelist(models.Claim), {"stance__exact": "denies"}))
    assert claims == [admin_world["denies"]]
    actors = listed(editor_client.get(changelist(models.Actor), {"kind__exact": "international_organization"}))
    assert actors == [admin_world["unsc"]]
    states = listed(editor_client.get(changelist(models.State), {"subregion__exact": "Eastern Asia"}))
    assert states == [admin_world["prk"]]
    old = f.SourceFactory(published=datetime.date(2019, 5, 1))
    sources = listed(editor_client.get(changelist(models.Source), {"published__year": "2019"}))
    assert sources == [old]


@readmodel.batched()
def world_of(size: int) -> None:
    """``size`` transfers, each with two claims (one denial), a timeline step, a transit State and
    region, a destination under an actor's control, and a sanctioned supplier."""
    source = f.SourceFactory()
    regime = f.SanctionsRegimeFactory(imposed_by=f.ActorFactory())
    for _ in range(size):
        transfer = f.TransferFactory(destination=f.PlaceFactory(state=f.StateFactory(), controlled_by=f.ActorFactory()))
        transfer.route.create(place=f.PlaceFactory())
        models.SanctionDesignation.objects.create(
            slug=f"designation-{transfer.pk}", regime=regime, state=transfer.supplier, source=source,
            quote="the shipment of rockets left the port in March",
        )
        claim = f.ClaimFactory(transfer=transfer, source=source, claimant=f.ActorFactory())
        f.ClaimFactory(transfer=transfer, source=source, stance="denies", quote="The government denied")
        f.TransferEventFactory(transfer=transfer, claim=claim)
        transfer.route.create(state=f.StateFactory())


# Every changelist, as an editor, costs exactly:
#   1 session, 1 user, 2 permissions (the user's and the groups'; cached for the request),
#   1 count: a COUNT over a LIMIT 10001 subquery (on PostgreSQL preceded by 1 pg_class estimate,
#     which a freshly created test table answers with "never analyzed"),
#   1 page of rows with every displayed reference joined in,
#   + 1 per related list filter for its choices (Transfer: supplier, recipient; Actor: state;
#     SanctionDesignation: regime) + 2 date_hierarchy aggregates (Source, SanctionDesignation);
#   Transfer: + 1 for the route column (its legs, with their States and places: one prefetch for the page)
#     + 2 for the first-reported year filter (the newest and the oldest date, one index end each).
QUERIES = {
    models.State: 6,
    models.Actor: 7,
    models.Materiel: 6,
    models.Place: 6,
    models.Source: 8,
    models.Transfer: 11,
    models.Claim: 6,
    models.TransferEvent: 6,
    models.SanctionsRegime: 6,
    models.SanctionDesignation: 9,
}
ESTIMATE = 1 if connection.vendor == "postgresql" else 0


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_changelist_queries_do_not_grow_with_the_rows(editor_client, django_assert_num_queries, model):
    for size in (3, 30):
        world_of(size)
        with django_assert_num_queries(QUERIES[model] + ESTIMATE):
            response = editor_client.get(changelist(model))
        assert response.status_code == 200
        assert len(listed(response)) > 0


def test_a_large_filtered_list_counts_only_up_to_the_cap(editor_client, settings, monkeypatch):
    from transfers.admin.paginator import EstimatedCountPaginator

    monkeypatch.setattr(EstimatedCountPaginator, "count_cap", 5)
    world_of(8)
    response = editor_client.get(changelist(models.Transfer), {"status__exact": "in_transit", "q": ""})
    assert response.context["cl"].result_count == 5
    assert "5+ transfers" in response.content.decode()


def test_an_unfiltered_large_table_is_estimated_from_planner_statistics(editor_client, monkeypatch):
    """On PostgreSQL the unfiltered list reads pg_class.reltuples; SQLite has no statistics and
    falls back to the capped count."""
    from transfers.admin.paginator import EstimatedCountPaginator

    monkeypatch.setattr(EstimatedCountPaginator, "count_cap", 5)
    world_of(8)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE transfers_transfer")
    response = editor_client.get(changelist(models.Transfer))
    paginator = response.context["cl"].paginator
    if connection.vendor == "postgresql":
        assert (paginator.count_kind, paginator.count) == ("estimate", 8)
        assert "About 8 transfers" in response.content.decode()
    else:
        assert (paginator.count_kind, paginator.count) == ("at_least", 5)
        assert "5+ transfers" in response.content.decode()
