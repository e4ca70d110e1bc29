"""/api/v1/claims/: every quote with its stance, claimant, credibility and source, filtered."""

import pytest

from tests.api_world import build_world

URL = "/api/v1/claims/"


@pytest.fixture
def world(db):
    return build_world()


def get(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return {row["slug"] for row in response.json()["results"]}


def test_a_claim_shows_its_transfer_source_claimant_and_names(client, world):
    body = client.get(f"{URL}shells-denial/").json()
    assert body == {
        "slug": "shells-denial",
        "transfer": "shells",
        "source": "kcna",
        "source_title": "Statement",
        "source_publisher": "KCNA",
        "source_published": "2022-11-08",
        "source_reliability": "E",
        "quote": "We have never supplied weapons or ammunition to Russia",
        "stance": "denies",
        "claimant": "prk-government",
        "claimant_name": "Government of North Korea",
        "credibility": 5,
        "note": "",
    }


def test_it_filters_claims_by_stance_source_claimant_transfer_and_credibility(client, world):
    everything = {"shells-wh", "shells-denial", "drones-wapo", "rifles-kcna"}
    assert get(client) == everything
    assert get(client, stance="denies") == {"shells-denial"}
    assert get(client, source="wapo") == {"shells-wh", "drones-wapo"}
    assert get(client, claimant="white-house") == {"shells-wh"}
    assert get(client, transfer="shells,rifles") == {"shells-wh", "shells-denial", "rifles-kcna"}
    assert get(client, credibility="5") == {"shells-denial"}
    assert get(client, credibility="1,5") == {"shells-denial"}
    assert get(client, credibility="1") == set()
    assert get(client, q="NEVER supplied") == {"shells-denial"}


def test_a_bad_claim_filter_answers_400_naming_it(client, world):
    response = client.get(URL, {"stance": "maybe", "transfer": "nothing"})
    assert response.status_code == 400
    assert set(response.json()) == {"stance", "transfer"}


def test_claims_are_read_only_here(client, world, editor_client):
    response = editor_client.post(URL, {"slug": "x"}, content_type="application/json")
    assert response.status_code == 405


def test_a_page_of_claims_costs_one_query(client, world, django_assert_num_queries):
    # The page, with its transfer, source and claimant joined; no count.
    with django_assert_num_queries(1):
        assert client.get(URL).status_code == 200
