"""?format=csv on every list endpoint: all matching rows, a header row, the same filters."""

import csv
import io

import pytest

from tests import factories
from tests.api_world import build_world
from transfers import readmodel

LISTS = [
    "/api/v1/states/", "/api/v1/actors/", "/api/v1/materiel/", "/api/v1/sources/", "/api/v1/transfers/",
    "/api/v1/claims/",
]


@pytest.fixture
def world(db):
    return build_world()


def read_csv(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


def test_the_transfer_csv_flattens_routes_claims_and_events(client, world):
    rows = {row["slug"]: row for row in read_csv(client.get("/api/v1/transfers/", {"format": "csv"}))}
    assert set(rows) == {"shells", "drones", "rifles", "us-shells"}
    shells = rows["shells"]
    assert (shells["supplier"], shells["recipient"], shells["materiel"], shells["category"]) == (
        "PRK", "RUS", "artillery-shells", "ammunition"
    )
    assert (shells["sanctioned"], shells["contested"], shells["covert"]) == ("true", "true", "true")
    assert shells["claims"] == "2"
    assert shells["sources"] == "kcna;wapo"
    assert shells["events"] == "delivered 2022-09"
    assert rows["rifles"]["via"] == "SYR"
    assert rows["rifles"]["first_reported"] == ""
    assert rows["rifles"]["recipient_actor"] == "wagner-group"


def test_the_transfer_csv_carries_names_beside_codes(client, world):
    rows = {row["slug"]: row for row in read_csv(client.get("/api/v1/transfers/", {"format": "csv"}))}
    shells, rifles, drones = rows["shells"], rows["rifles"], rows["drones"]
    assert (shells["supplier_name"], shells["recipient_name"], shells["materiel_name"]) == (
        "North Korea", "Russia", "Artillery shells"
    )
    assert (rifles["recipient_actor_name"], rifles["supplier_actor_name"]) == ("Wagner Group", "")
    assert drones["destination_name"] == "Crimea"


def test_the_claims_csv_joins_the_transfers_csv_and_keeps_who_said_what(client, world):
    selection = read_csv(client.get("/api/v1/transfers/", {"format": "csv", "supplier": "PRK"}))
    transfers = {row["slug"] for row in selection}
    claims = read_csv(client.get("/api/v1/claims/", {"format": "csv", "transfer": ",".join(transfers)}))
    assert {claim["transfer"] for claim in claims} == transfers == {"shells"}
    by_slug = {claim["slug"]: claim for claim in claims}
    denial = by_slug["shells-denial"]
    assert denial["quote"] == "We have never supplied weapons or ammunition to Russia"
    assert (denial["stance"], denial["claimant"], denial["claimant_name"], denial["credibility"]) == (
        "denies", "prk-government", "Government of North Korea", "5"
    )
    assert (denial["source"], denial["source_publisher"], denial["source_reliability"]) == ("kcna", "KCNA", "E")
    assert by_slug["shells-wh"]["stance"] == "asserts"


def test_the_csv_applies_the_same_filters(client, world):
    rows = read_csv(client.get("/api/v1/transfers/", {"format": "csv", "recipient": "RUS", "category": "uav"}))
    assert [row["slug"] for row in rows] == ["drones"]


def test_the_csv_has_every_matching_row_not_one_page(client, world):
    for _ in range(60):
        factories.TransferFactory(supplier=world.states["IRN"], recipient=world.states["RUS"])
    rows = read_csv(client.get("/api/v1/transfers/", {"format": "csv", "page_size": 5, "supplier": "IRN"}))
    assert len(rows) == 61


@pytest.mark.parametrize("chunk_size", [5000, 50])
def test_the_csv_costs_one_query_whatever_its_chunks(client, world, monkeypatch, chunk_size):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr("transfers.api.views.CSV_CHUNK_SIZE", chunk_size)
    with readmodel.batched():
        for _ in range(120):
            factories.TransferFactory(supplier=world.states["IRN"], recipient=world.states["RUS"])
    with CaptureQueriesContext(connection) as captured:
        rows = read_csv(client.get("/api/v1/transfers/", {"format": "csv"}))
    assert len(rows) == 124
    # The stream runs in a transaction (a savepoint inside the test's own); not counted here.
    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    # 1. the transfers' documents (a server-side cursor on PostgreSQL), flattened a chunk at a time
    assert len(statements) == 1, "\n".join(statements)


@pytest.mark.parametrize("url", LISTS)
def test_every_list_has_a_csv_with_a_header_row_even_when_empty(client, world, url):
    params = {"format": "csv", "q": "nothing-matches-this"}
    response = client.get(url, params)
    body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    header = body.splitlines()
    assert len(header) == 1
    assert header[0].split(",")[0] in {"iso3", "slug", "id"}


@pytest.mark.parametrize("url", LISTS)
def test_every_list_csv_has_a_row_per_record(client, world, url):
    json_rows = client.get(url, {"page_size": 500}).json()["results"]
    assert len(read_csv(client.get(url, {"format": "csv"}))) == len(json_rows)


def test_reference_csvs_flatten_lists(client, world):
    states = {row["iso3"]: row for row in read_csv(client.get("/api/v1/states/", {"format": "csv"}))}
    assert states["PRK"]["aliases"] == "DPRK;Pyongyang"
    assert states["PRK"]["sanctions"] == "un-dprk"
    sources = read_csv(client.get("/api/v1/sources/", {"format": "csv"}))
    assert "text" not in sources[0]


def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_made_text(client, world):
    factories.MaterielFactory(slug="formula", name="=HYPERLINK(\"http://evil\")")
    rows = read_csv(client.get("/api/v1/materiel/", {"format": "csv", "q": "formula"}))
    assert rows[0]["name"] == "'=HYPERLINK(\"http://evil\")"


def test_a_csv_request_with_a_bad_filter_answers_400_in_json(client, world):
    response = client.get("/api/v1/transfers/", {"format": "csv", "supplier": "XXX"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"supplier": ["Unknown state code(s): XXX."]}
