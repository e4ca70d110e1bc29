"""What every list endpoint of /api/v1/ shares: no silent answers, a labelled filter form."""

import pytest

from tests.api_world import build_world
from transfers.api.urls import router

LISTS = [f"/api/v1/{prefix}/" for prefix, _, _ in router.registry]
# The deletions feed lists keys of records that are gone: none has a page of its own.
RECORD_LISTS = [url for url in LISTS if url != "/api/v1/deletions/"]


@pytest.fixture
def world(db):
    return build_world()


def test_the_walk_covers_every_registered_list():
    assert {"/api/v1/transfers/", "/api/v1/states/", "/api/v1/claims/"} <= set(LISTS)


@pytest.mark.parametrize("url", LISTS)
def test_every_list_answers_400_for_an_unknown_query_parameter_naming_it(client, world, url):
    response = client.get(url, {"no_such_filter": "1"})
    assert response.status_code == 400, response.content
    message = response.json()["no_such_filter"][0]
    assert message.startswith("Unknown query parameter. Accepted: ")
    assert "cursor" in message and "format" in message


@pytest.mark.parametrize("url", LISTS)
def test_every_list_takes_each_query_parameter_it_lists_as_accepted(client, world, url):
    accepted = client.get(url, {"x_unknown": "1"}).json()["x_unknown"][0].removeprefix(
        "Unknown query parameter. Accepted: "
    ).rstrip(".").split(", ")
    for name in accepted:
        # Empty values filter nothing; the parameter itself must be known.
        response = client.get(url, {name: ""})
        assert response.status_code == 200, (name, response.content)


@pytest.mark.parametrize("url", LISTS)
def test_the_browsable_filter_form_labels_every_field(client, world, url):
    response = client.get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    html = response.content.decode()
    assert "[invalid name]" not in html


@pytest.mark.parametrize("url", RECORD_LISTS)
def test_every_record_a_list_shows_can_be_read_on_its_own(client, world, url):
    rows = client.get(url, {"page_size": 500}).json()["results"]
    assert rows, url
    for row in rows:
        key = row.get("iso3") or row.get("slug") or row.get("id")
        assert client.get(f"{url}{key}/").status_code == 200, (url, key)


def test_transfer_pages_carry_the_stored_documents_and_the_browsable_api_shows_them(client, world):
    """JSON pages pass each record's stored document in as it is; the browsable API parses it."""
    from transfers.models import TransferRecord

    stored = dict(TransferRecord.objects.values_list("transfer_id", "document"))
    results = client.get("/api/v1/transfers/").json()["results"]
    assert sorted(document["id"] for document in results) == sorted(stored)
    assert all(document == stored[document["id"]] for document in results)
    shells = world.transfers["shells"]
    assert client.get(f"/api/v1/transfers/{shells.pk}/").json() == stored[shells.pk]
    for url in ("/api/v1/transfers/", f"/api/v1/transfers/{shells.pk}/"):
        page = client.get(url, HTTP_ACCEPT="text/html")
        assert page.status_code == 200
        assert "Covert supply of artillery shells" in page.content.decode()
