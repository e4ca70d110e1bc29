"""GET /api/v1/transfers/: what a transfer looks like, pages, and the queries it costs."""

import datetime

import pytest
from django.db import connection

from tests import factories
from tests.api_world import build_world, slugs
from transfers import readmodel
from transfers.models import TransferVia

URL = "/api/v1/transfers/"


@pytest.fixture
def world(db):
    return build_world()


def test_a_transfer_shows_its_parties_route_claims_and_timeline(client, world):
    transfer = world.transfers["shells"]
    body = client.get(f"{URL}{transfer.pk}/").json()
    assert body["id"] == transfer.pk
    assert body["slug"] == "shells"
    assert (body["supplier"], body["recipient"]) == ("PRK", "RUS")
    assert body["materiel"] == "artillery-shells"
    assert body["category"] == "ammunition"
    assert body["status"] == "delivered"
    assert body["covert"] is True
    assert body["first_reported"] == "2022-11-02"
    assert body["sanctioned"] is True
    assert body["contested"] is True
    assert body["reviewed"] is False
    assert body["claims"] == [
        {
            "slug": "shells-wh",
            "source": "wapo",
            "quote": "North Korea is covertly supplying Russia with a significant number of artillery shells",
            "stance": "asserts",
            "claimant": "white-house",
            "credibility": 2,
            "note": "",
            "quantity": None,
            "quantity_low": None,
            "quantity_high": None,
        },
        {
            "slug": "shells-denial",
            "source": "kcna",
            "quote": "We have never supplied weapons or ammunition to Russia",
            "stance": "denies",
            "claimant": "prk-government",
            "credibility": 5,
            "note": "",
            "quantity": None,
            "quantity_low": None,
            "quantity_high": None,
        },
    ]
    assert body["events"] == [
        {
            "status": "delivered",
            "date": "2022-09-01",
            "date_to": None,
            "date_precision": "month",
            "date_display": "2022-09",
            "quantity": None,
            "claim": "shells-denial",
            "note": "",
        }
    ]


def test_a_transfer_shows_its_route_actors_and_regions(client, world):
    rifles = world.transfers["rifles"]
    rifles.route.create(place=world.places["middle-east"])
    body = client.get(f"{URL}{rifles.pk}/").json()
    assert body["via"] == ["SYR"]
    assert body["via_regions"] == ["middle-east"]
    assert body["recipient_actor"] == "wagner-group"
    assert body["supplier_actor"] is None
    assert body["quantity"] == 500
    assert body["first_reported"] is None
    assert body["sanctioned"] is False
    assert body["contested"] is False


def test_the_route_keeps_its_order(client, world):
    rifles = world.transfers["rifles"]
    TransferVia.objects.create(transfer=rifles, state=world.states["IRN"])  # after SYR
    assert client.get(f"{URL}{rifles.pk}/").json()["via"] == ["SYR", "IRN"]


def test_the_list_is_newest_first_with_unknown_dates_last(client, world):
    assert slugs(client.get(URL)) == ["us-shells", "shells", "drones", "rifles"]


def test_an_unknown_transfer_is_404(client, world):
    assert client.get(f"{URL}999999/").status_code == 404


def test_the_list_has_results_next_and_previous_but_no_count(client, world):
    body = client.get(URL, {"page_size": 2}).json()
    assert set(body) == {"results", "next", "previous"}
    assert len(body["results"]) == 2
    assert body["next"] and body["previous"] is None


def _walk(client, params, direction="next"):
    """Every slug, following next links from the first page."""
    seen, response = [], client.get(URL, params)
    while True:
        body = response.json()
        assert response.status_code == 200, body
        seen += [row["slug"] for row in body["results"]]
        if not body["next"]:
            return seen
        response = client.get(body["next"])


@pytest.mark.parametrize(
    "ordering",
    ["-first_reported", "first_reported", "quantity", "-quantity", "status", "-status", "id", "-id",
     "status,-first_reported", "created_at"],
)
def test_following_next_links_visits_every_transfer_once_in_order(client, world, ordering):
    # Extra rows with ties and NULLs in every ordering field, so pages split inside tied groups.
    for n in range(7):
        factories.TransferFactory(
            slug=f"extra-{n}", supplier=world.states["PRK"], recipient=world.states["RUS"],
            materiel=world.materiel["ak-rifles"], status=["delivered", "ordered"][n % 2],
            first_reported=None if n % 3 == 0 else datetime.date(2022, 11, 2),
            quantity=None if n % 2 else 500,
        )
    everything = [row["slug"] for row in client.get(URL, {"ordering": ordering, "page_size": 500}).json()["results"]]
    assert len(everything) == 11
    assert _walk(client, {"ordering": ordering, "page_size": 2}) == everything
    assert _walk(client, {"ordering": ordering, "page_size": 3}) == everything


def test_previous_links_lead_back_page_by_page(client, world):
    for n in range(5):
        factories.TransferFactory(slug=f"extra-{n}", first_reported=None if n % 2 else datetime.date(2021, 1, n + 1))
    pages, response = [], client.get(URL, {"page_size": 2})
    while True:
        body = response.json()
        pages.append([row["slug"] for row in body["results"]])
        if not body["next"]:
            break
        response = client.get(body["next"])
    backwards = []
    while body["previous"]:
        body = client.get(body["previous"]).json()
        backwards.append([row["slug"] for row in body["results"]])
    assert backwards == pages[-2::-1]


def test_a_cursor_from_another_ordering_is_refused(client, world):
    next_link = client.get(URL, {"page_size": 1}).json()["next"]
    cursor = next_link.split("cursor=")[1].split("&")[0]
    response = client.get(URL, {"cursor": cursor.replace("%3D", "="), "ordering": "quantity"})
    assert response.status_code == 400
    assert "cursor" in response.json()


@pytest.mark.parametrize("cursor", ["garbage", "eyJvIjpbXX0=", "!!!", "e30=", "W10="])
def test_a_malformed_cursor_is_400_naming_the_cursor(client, world, cursor):
    response = client.get(URL, {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()


@pytest.mark.parametrize("page_size", ["0", "501", "abc", "-1", "99999999999999999999999", "1.5"])
def test_a_page_size_outside_1_to_500_is_400(client, world, page_size):
    response = client.get(URL, {"page_size": page_size})
    assert response.status_code == 400
    assert "page_size" in response.json()


def test_page_size_500_is_allowed(client, world):
    assert len(client.get(URL, {"page_size": 500}).json()["results"]) == 4


@readmodel.batched()
def _transfers_with_everything(count, world):
    for n in range(count):
        transfer = factories.TransferFactory(
            supplier=world.states["PRK"], recipient=world.states["RUS"], materiel=world.materiel["shahed-136"],
            supplier_actor=world.actors["prk-government"], recipient_actor=world.actors["wagner-group"],
            destination=factories.PlaceFactory(), first_reported=datetime.date(2020, 1, 1 + n % 28),
        )
        TransferVia.objects.create(transfer=transfer, state=world.states["SYR"])
        transfer.route.create(place=factories.PlaceFactory())
        claim = factories.ClaimFactory(transfer=transfer, source=world.sources["wapo"],
                                       quote="Iran has sent Shahed-136 drones to Russia",
                                       claimant=world.actors["white-house"])
        factories.TransferEventFactory(transfer=transfer, claim=claim)


@pytest.mark.parametrize("page_size", [5, 200])
def test_the_list_costs_one_query_whatever_the_page_size(client, world, django_assert_num_queries, page_size):
    _transfers_with_everything(60, world)
    # 1. the page: the transfers' keys and their records' documents (one join on the primary key)
    with django_assert_num_queries(1) as captured:
        response = client.get(URL, {"page_size": page_size})
    assert len(response.json()["results"]) == min(page_size, 64)
    (sql,) = [query["sql"].upper() for query in captured.captured_queries]
    assert sql.count(" JOIN ") == 1 and sql.count("SELECT") == 1


@pytest.mark.parametrize("filters", [{"q": "drones"}, {"stance": "denies"}, {"category": "uav"},
                                     {"sanctioned": "true"}, {"contested": "true"}, {"contested": "false"}])
def test_a_filtered_list_is_one_query_on_the_transfers_and_their_records(client, world, filters,
                                                                           django_assert_num_queries):
    _transfers_with_everything(5, world)
    # 1. the page (filters on the transfer, its parts by EXISTS, its record's flags and search words).
    # A search alone on PostgreSQL: 1. the page of its matching words rows, 2. that page's documents.
    searched_alone = set(filters) == {"q"} and connection.vendor == "postgresql"
    with django_assert_num_queries(2 if searched_alone else 1) as captured:
        response = client.get(URL, filters)
    assert response.status_code == 200 and response.json()["results"]
    if searched_alone:  # the page of matches from the words alone, then the page's transfers by key
        page, documents = (query["sql"] for query in captured.captured_queries)
        assert "transfers_transferwords" in page and "transfers_transfer\"" not in page
        assert '"transfers_transfer"."id" IN' in documents


def test_a_detail_shows_exactly_its_list_entry(client, world):
    _transfers_with_everything(2, world)
    listed = client.get(URL, {"page_size": 500}).json()["results"]
    assert len(listed) == len(world.transfers) + 2
    for entry in listed:  # dates, booleans and empty references come back typed on both databases
        assert client.get(f"{URL}{entry['id']}/").json() == entry
    assert {entry["reviewed"] for entry in listed} <= {True, False}


def test_filters_add_one_query_per_code_lookup(client, world, django_assert_max_num_queries):
    _transfers_with_everything(20, world)
    # 1. the State codes of supplier and via (one query between them)  2. the actor slug  3. the page
    with django_assert_max_num_queries(3):
        response = client.get(URL, {"supplier": "PRK", "via": "SYR", "actor": "wagner-group", "page_size": 100})
    assert len(response.json()["results"]) == 20


def test_the_detail_costs_one_query(client, world, django_assert_num_queries):
    # 1. the transfer's version and its record's document
    with django_assert_num_queries(1):
        assert client.get(f"{URL}{world.transfers['shells'].pk}/").status_code == 200
