"""States, actors, materiel and sources: their lists, filters, details and query counts."""

import pytest

from tests import factories
from tests.api_world import build_world


@pytest.fixture
def world(db):
    return build_world()


def keys(response, key="slug"):
    assert response.status_code == 200, response.content
    return [row[key] for row in response.json()["results"]]


# --- states -----------------------------------------------------------------------------------------


def test_a_state_shows_its_code_names_region_and_sanctions(client, world):
    body = client.get("/api/v1/states/PRK/").json()
    assert body["iso3"] == "PRK"
    assert body["name"] == "North Korea"
    assert body["aliases"] == ["DPRK", "Pyongyang"]
    assert (body["subregion"], body["region"]) == ("Eastern Asia", "Asia")
    assert body["sanctioned"] is True
    assert body["sanctions"][0]["regime"] == "un-dprk"
    assert body["sanctions"][0]["source"] == "unsc"


def test_a_state_is_found_by_a_lower_case_code(client, world):
    assert client.get("/api/v1/states/prk/").json()["iso3"] == "PRK"


def test_states_are_listed_by_name(client, world):
    assert keys(client.get("/api/v1/states/"), "iso3") == ["IRN", "LBY", "PRK", "RUS", "SYR", "UKR", "USA"]


def test_states_filter_by_region_subregion_sanctions_and_text(client, world):
    assert keys(client.get("/api/v1/states/", {"region": "Europe"}), "iso3") == ["RUS", "UKR"]
    assert keys(client.get("/api/v1/states/", {"subregion": "Western Asia,Northern Africa"}), "iso3") == ["LBY", "SYR"]
    assert keys(client.get("/api/v1/states/", {"sanctioned": "true"}), "iso3") == ["PRK"]
    assert keys(client.get("/api/v1/states/", {"q": "dprk"}), "iso3") == ["PRK"]
    assert keys(client.get("/api/v1/states/", {"ordering": "-iso3", "page_size": 2}), "iso3") == ["USA", "UKR"]


def test_an_unknown_region_is_400(client, world):
    response = client.get("/api/v1/states/", {"region": "Atlantis"})
    assert response.status_code == 400
    assert "region" in response.json()


def test_the_state_list_costs_two_queries(client, world, django_assert_max_num_queries):
    for _ in range(30):
        factories.StateFactory()
    # 1. the page of States   2. their sanctions designations with regime and source slugs
    with django_assert_max_num_queries(2):
        assert len(keys(client.get("/api/v1/states/", {"page_size": 100}), "iso3")) == 37


# --- actors -----------------------------------------------------------------------------------------


def test_an_actor_shows_its_kind_state_and_aliases(client, world):
    body = client.get("/api/v1/actors/prk-government/").json()
    assert body["slug"] == "prk-government"
    assert body["kind"] == "government"
    assert body["state"] == "PRK"
    assert body["aliases"] == ["DPRK"]


def test_actors_filter_by_kind_state_sanctions_and_text(client, world):
    assert keys(client.get("/api/v1/actors/", {"kind": "private_military_company"})) == ["wagner-group"]
    assert keys(client.get("/api/v1/actors/", {"state": "USA,RUS"})) == ["white-house", "wagner-group"]
    assert keys(client.get("/api/v1/actors/", {"sanctioned": "false"})) == [
        "prk-government", "white-house", "wagner-group"
    ]
    assert keys(client.get("/api/v1/actors/", {"q": "wagner"})) == ["wagner-group"]


def test_actors_with_an_unknown_state_code_are_400(client, world):
    response = client.get("/api/v1/actors/", {"state": "XYZ"})
    assert response.status_code == 400
    assert response.json() == {"state": ["Unknown state code(s): XYZ."]}


def test_the_actor_list_costs_one_query(client, world, django_assert_max_num_queries):
    for _ in range(30):
        factories.ActorFactory(source=world.sources["wapo"], part_of=world.actors["white-house"])
    # 1. actors joined with their State, parent organisation and source (without its text)
    with django_assert_max_num_queries(1):
        assert len(keys(client.get("/api/v1/actors/", {"page_size": 100}))) == 33


# --- materiel ---------------------------------------------------------------------------------------


def test_materiel_shows_its_category(client, world):
    body = client.get("/api/v1/materiel/shahed-136/").json()
    assert (body["slug"], body["name"], body["category"]) == ("shahed-136", "Shahed-136", "uav")


def test_materiel_filters_by_category_and_text(client, world):
    assert keys(client.get("/api/v1/materiel/", {"category": "ammunition"})) == ["artillery-shells"]
    assert keys(client.get("/api/v1/materiel/", {"q": "kalashnikov"})) == ["ak-rifles"]
    assert client.get("/api/v1/materiel/", {"category": "lasers"}).status_code == 400


def test_the_materiel_list_costs_one_query(client, world, django_assert_max_num_queries):
    for _ in range(30):
        factories.MaterielFactory()
    with django_assert_max_num_queries(1):
        assert len(keys(client.get("/api/v1/materiel/", {"page_size": 100}))) == 33


# --- sources ----------------------------------------------------------------------------------------


def test_the_source_list_leaves_out_the_text_and_the_detail_has_it(client, world):
    listed = client.get("/api/v1/sources/").json()["results"][0]
    assert set(listed) == {"slug", "title", "publisher", "authors", "published", "url", "kind", "reliability"}
    body = client.get("/api/v1/sources/kcna/").json()
    assert body["text"].startswith("We have never supplied weapons")
    assert (body["publisher"], body["published"], body["kind"], body["reliability"]) == (
        "KCNA", "2022-11-08", "official_statement", "E"
    )


def test_sources_are_newest_first_and_filter_by_publisher_kind_reliability_and_date(client, world):
    assert keys(client.get("/api/v1/sources/")) == ["kcna", "wapo", "unsc"]
    assert keys(client.get("/api/v1/sources/", {"publisher": "the washington post"})) == ["wapo"]
    assert keys(client.get("/api/v1/sources/", {"kind": "un_document"})) == ["unsc"]
    assert keys(client.get("/api/v1/sources/", {"reliability": "A,B"})) == ["wapo", "unsc"]
    assert keys(client.get("/api/v1/sources/", {"published_after": "2022-11-05"})) == ["kcna"]
    assert keys(client.get("/api/v1/sources/", {"published_before": "2010-01-01"})) == ["unsc"]
    assert client.get("/api/v1/sources/", {"published_after": "2022-11-31"}).status_code == 400


def test_the_source_list_costs_one_query_and_never_loads_the_text(client, world, django_assert_max_num_queries):
    for _ in range(30):
        factories.SourceFactory(text="x" * 10_000)
    with django_assert_max_num_queries(1) as captured:
        assert len(keys(client.get("/api/v1/sources/", {"page_size": 100}))) == 33
    assert '"text"' not in captured.captured_queries[0]["sql"]


@pytest.mark.parametrize(
    "url", ["/api/v1/states/ZZZ/", "/api/v1/actors/nobody/", "/api/v1/materiel/none/", "/api/v1/sources/none/"]
)
def test_an_unknown_key_is_404(client, world, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "detail" in response.json()
