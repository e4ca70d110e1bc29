"""The sync feed: ?updated_since= on every list, /api/v1/deletions/, and conditional list pages."""

import datetime

import pytest
from django.utils import timezone

from tests import factories as f
from tests.api_world import build_world
from transfers.api.urls import router
from transfers.models import Claim, Deletion, State, Transfer
from transfers.services.records import record_delete, record_update

pytestmark = pytest.mark.django_db

LISTS = [f"/api/v1/{prefix}/" for prefix, _, _ in router.registry if prefix != "deletions"]


@pytest.fixture
def world(db):
    return build_world()


def walk(client, url, params):
    """Every row of a list, following its next links."""
    rows, page = [], client.get(url, params)
    while True:
        assert page.status_code == 200, page.content
        rows += page.json()["results"]
        if not page.json()["next"]:
            return rows
        page = client.get(page.json()["next"])


@pytest.mark.parametrize("url", LISTS)
def test_every_list_refuses_an_invalid_updated_since_by_name(client, world, url):
    response = client.get(url, {"updated_since": "last tuesday"})
    assert response.status_code == 400
    assert "updated_since" in response.json()


@pytest.mark.parametrize("url", ["/api/v1/sources/", "/api/v1/transfers/", "/api/v1/deletions/"])
def test_a_since_with_any_valid_offset_is_read_as_the_same_instant(client, world, url):
    # PostgreSQL refuses offsets beyond +-15:59 in a literal; ISO 8601 (and Python) allow up to 23:59.
    # Found by schemathesis: "time zone displacement out of range" answered 500 on PostgreSQL.
    param = "since" if "deletions" in url else "updated_since"
    response = client.get(url, {param: "1448-01-04T07:20:06.673794+19:58"})
    assert response.status_code == 200, response.content
    assert client.get(url, {param: "2999-01-01T23:00:00+19:58"}).json()["results"] == []


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"])
def test_a_since_whose_utc_instant_falls_outside_the_calendar_is_refused_by_name(client, world, value):
    response = client.get("/api/v1/transfers/", {"updated_since": value})
    assert response.status_code == 400 and "updated_since" in response.json()


def test_updated_since_lists_what_changed_since_in_order_of_change_over_keyset_pages(client, world):
    old = timezone.now() - datetime.timedelta(days=30)
    Transfer.objects.update(updated_at=old)
    State.objects.update(updated_at=old)
    since = timezone.now() - datetime.timedelta(days=1)
    changed = list(Transfer.objects.order_by("id")[:3])
    for transfer in reversed(changed):  # changed in the reverse order of their ids
        record_update(model=Transfer, pk=transfer.pk, data={"description": "Changed for the feed test."})
    rows = walk(client, "/api/v1/transfers/", {"updated_since": since.isoformat().replace("+00:00", "Z"),
                                               "page_size": 2})
    assert [row["slug"] for row in rows] == [t.slug for t in reversed(changed)]
    assert client.get("/api/v1/states/", {"updated_since": since.isoformat().replace("+00:00", "Z")}).json()[
        "results"] == []


def test_updated_since_orders_by_change_so_ordering_is_refused_with_it(client, world):
    response = client.get("/api/v1/transfers/", {"updated_since": "2020-01-01T00:00:00Z", "ordering": "id"})
    assert response.status_code == 400 and "ordering" in response.json()


def test_events_follow_their_transfers_changes(client, world):
    Transfer.objects.update(updated_at=timezone.now() - datetime.timedelta(days=30))
    transfer = Transfer.objects.filter(events__isnull=False).first()
    record_update(model=Transfer, pk=transfer.pk, data={"description": "Changed for the feed test."})
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat().replace("+00:00", "Z")
    rows = walk(client, "/api/v1/events/", {"updated_since": since})
    assert rows and {row["transfer"] for row in rows} == {transfer.slug}


def test_a_deleted_transfer_and_its_cascaded_claims_are_in_the_deletions_feed(client, world):
    before = timezone.now() - datetime.timedelta(seconds=1)
    transfer = Transfer.objects.filter(claims__isnull=False).distinct().first()
    claims = sorted(Claim.objects.filter(transfer=transfer).values_list("slug", flat=True))
    # The world's other records protect nothing on this transfer's side: its claims go with it.
    Transfer.objects.filter(pk=transfer.pk).update(value_claim=None)
    record_delete(record=transfer)
    rows = walk(client, "/api/v1/deletions/", {"since": before.isoformat().replace("+00:00", "Z")})
    assert {"model": "transfer", "key": transfer.slug} in [{k: r[k] for k in ("model", "key")} for r in rows]
    assert sorted(r["key"] for r in rows if r["model"] == "claim") == claims
    assert [r["deleted_at"] for r in rows] == sorted(r["deleted_at"] for r in rows)
    only = client.get("/api/v1/deletions/", {"model": "transfer"}).json()["results"]
    assert [r["key"] for r in only] == [transfer.slug]


def test_a_deleted_state_is_in_the_feed_by_its_code(client):
    state = f.StateFactory(iso3="ZZA")
    record_delete(record=state)
    assert Deletion.objects.get().key == "ZZA"
    assert client.get("/api/v1/deletions/").json()["results"][0] | {"deleted_at": None} == {
        "model": "state", "key": "ZZA", "deleted_at": None}


def test_deletions_refuse_an_invalid_since_by_name(client):
    response = client.get("/api/v1/deletions/", {"since": "yesterday"})
    assert response.status_code == 400 and "since" in response.json()


@pytest.mark.parametrize("url", [*LISTS, "/api/v1/deletions/"])
def test_a_list_page_answers_304_while_it_has_not_changed(client, world, url):
    first = client.get(url)
    assert first.status_code == 200
    tag = first["ETag"]
    assert tag.startswith('"') and len(tag) > 10
    again = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again["ETag"] == tag and again.content == b""
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_a_changed_list_page_has_a_new_etag_and_last_modified(client, world):
    State.objects.update(updated_at=timezone.now() - datetime.timedelta(hours=1))  # HTTP dates count seconds
    first = client.get("/api/v1/states/")
    modified = first["Last-Modified"]
    assert client.get("/api/v1/states/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    state = State.objects.order_by("name").first()
    record_update(model=State, pk=state.pk, data={"name": "Renamed for the feed test"})
    second = client.get("/api/v1/states/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and second["ETag"] != first["ETag"]
    assert client.get("/api/v1/states/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 200
