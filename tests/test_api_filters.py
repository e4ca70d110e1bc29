"""The filters of /api/v1/transfers/, one by one and combined; bad values answer 400 naming the parameter."""

import pytest
from django.db import connection

from tests.api_world import build_world, slugs

URL = "/api/v1/transfers/"


@pytest.fixture
def world(db):
    return build_world()


def get(client, **params):
    return set(slugs(client.get(URL, params)))


def test_it_filters_by_supplier_state(client, world):
    assert get(client, supplier="PRK") == {"shells"}


def test_it_filters_by_several_suppliers(client, world):
    assert get(client, supplier="PRK,IRN") == {"shells", "drones"}


def test_state_codes_are_case_insensitive(client, world):
    assert get(client, supplier="prk") == {"shells"}


def test_it_filters_by_recipient_state(client, world):
    assert get(client, recipient="RUS") == {"shells", "drones"}


def test_it_filters_by_a_party_on_either_side(client, world):
    assert get(client, party="RUS") == {"shells", "drones", "rifles"}


def test_it_filters_by_transit_state(client, world):
    assert get(client, via="SYR") == {"rifles"}
    assert get(client, via="SYR,LBY") == {"rifles"}
    assert get(client, via="LBY") == set()


def test_it_filters_by_actor_in_any_role(client, world):
    assert get(client, actor="wagner-group") == {"rifles"}  # recipient actor
    assert get(client, actor="white-house") == {"shells"}  # claimant
    assert get(client, actor="prk-government,wagner-group") == {"shells", "rifles"}


def test_it_filters_by_materiel(client, world):
    assert get(client, materiel="artillery-shells") == {"shells", "us-shells"}


def test_it_filters_by_category(client, world):
    assert get(client, category="uav") == {"drones"}
    assert get(client, category="uav,small_arms") == {"drones", "rifles"}


def test_it_filters_by_status(client, world):
    assert get(client, status="delivered") == {"shells", "drones"}
    assert get(client, status="ordered,in_transit") == {"rifles", "us-shells"}


def test_it_filters_by_source(client, world):
    assert get(client, source="kcna") == {"shells", "rifles"}
    assert get(client, source="wapo") == {"shells", "drones"}


def test_stance_denies_lists_contested_transfers(client, world):
    assert get(client, stance="denies") == {"shells"}


def test_source_and_stance_apply_to_the_same_claim(client, world):
    # kcna denies 'shells' and asserts 'rifles'; wapo never denies anything.
    assert get(client, source="kcna", stance="denies") == {"shells"}
    assert get(client, source="wapo", stance="denies") == set()


def test_it_filters_by_sanctioned_party(client, world):
    assert get(client, sanctioned="true") == {"shells"}
    assert get(client, sanctioned="false") == {"drones", "rifles", "us-shells"}


def test_sanctions_on_a_named_actor_count_too(client, world):
    from transfers.models import SanctionDesignation

    SanctionDesignation.objects.create(
        slug="wagner", regime=SanctionDesignation.objects.get().regime, actor=world.actors["wagner-group"],
        source=world.sources["unsc"], quote="The Security Council imposed sanctions",
    )
    assert get(client, sanctioned="true") == {"shells", "rifles"}


def test_it_filters_by_first_reported_dates(client, world):
    assert get(client, reported_after="2022-11-01") == {"shells", "us-shells"}
    assert get(client, reported_before="2022-11-02") == {"shells", "drones"}
    assert get(client, reported_after="2022-10-01", reported_before="2022-10-31") == {"drones"}


def test_text_search_covers_descriptions_materiel_actors_and_quotes(client, world):
    assert get(client, q="masked") == {"shells"}  # description
    assert get(client, q="shahed") == {"drones"}  # materiel name
    assert get(client, q="wagner") == {"rifles"}  # actor name
    assert get(client, q="through Syria") == {"rifles"}  # quote, every word
    assert get(client, q="Syria masked") == set()
    assert get(client, q="Syria") == {"rifles"}
    assert get(client, q="zzzqx") == set()


def test_a_search_costs_no_more_queries_than_a_list(client, world, django_assert_num_queries):
    # SQLite: 1. the page, its records matching the words (FTS5). PostgreSQL: 1. the page of the
    # matching words rows (a GIN index), 2. that page's documents.
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 1):
        assert get(client, q="wagner") == {"rifles"}
    with django_assert_num_queries(1):  # with an ordering (or another filter): one query, on the transfers
        assert get(client, q="wagner", ordering="-first_reported") == {"rifles"}


def test_filters_combine_with_and(client, world):
    assert get(client, recipient="RUS", category="ammunition") == {"shells"}
    assert get(client, party="RUS", status="delivered", sanctioned="false") == {"drones"}
    assert get(client, materiel="artillery-shells", reported_after="2023-01-01", supplier="USA") == {"us-shells"}


def test_ordering_sorts_the_list(client, world):
    assert slugs(client.get(URL, {"ordering": "first_reported"})) == ["drones", "shells", "us-shells", "rifles"]
    assert slugs(client.get(URL, {"ordering": "-quantity"}))[:2] == ["us-shells", "rifles"]


@pytest.mark.parametrize("param", ["suplier", "via_region", "colour"])
def test_an_unknown_parameter_answers_400_naming_it_and_listing_the_accepted_ones(client, world, param):
    response = client.get(URL, {param: "PRK", "supplier": "PRK"})
    assert response.status_code == 400
    assert list(response.json()) == [param]
    message = response.json()[param][0]
    assert message.startswith("Unknown query parameter. Accepted: ")
    for accepted in ("supplier", "place", "covert", "cursor", "page_size", "format", "ordering"):
        assert accepted in message


def test_it_filters_by_covert_contested_and_reviewed(client, world):
    assert get(client, covert="true") == {"shells"}
    assert get(client, covert="false") == {"drones", "rifles", "us-shells"}
    assert get(client, contested="true") == {"shells"}
    assert get(client, contested="false") == {"drones", "rifles", "us-shells"}
    assert get(client, reviewed="true") == {"us-shells"}
    assert get(client, reviewed="false") == {"shells", "drones", "rifles"}


def test_it_filters_by_destination_and_by_a_place_on_the_route_or_at_the_end(client, world):
    assert get(client, destination="crimea") == {"drones"}
    assert get(client, destination="middle-east") == set()
    assert get(client, place="middle-east") == {"shells"}
    assert get(client, place="crimea") == {"drones"}
    assert get(client, place="middle-east,crimea") == {"shells", "drones"}


def test_it_filters_by_the_m49_region_of_either_party(client, world):
    assert get(client, region="Africa") == {"rifles"}
    assert get(client, region="Americas") == {"us-shells"}
    assert get(client, region="Asia") == {"shells", "drones"}
    assert get(client, region="Asia,Africa") == {"shells", "drones", "rifles"}


def test_via_with_a_place_slug_says_to_use_place(client, world):
    response = client.get(URL, {"via": "middle-east"})
    assert response.status_code == 400
    assert response.json()["via"] == [
        "middle-east: a place, not a State; use ?place=middle-east for transfers going to or through it."
    ]


@pytest.mark.parametrize(
    ("param", "value", "message"),
    [
        ("supplier", "XXX", "Unknown state code(s): XXX."),
        ("recipient", "RUS,ZZZ", "Unknown state code(s): ZZZ."),
        ("party", "QQQ", "Unknown state code(s): QQQ."),
        ("via", "SYRIA", "Unknown state code(s): SYRIA."),
        ("actor", "nobody", "Unknown actor slug(s): nobody."),
        ("materiel", "death-ray", "Unknown materiel slug(s): death-ray."),
        ("source", "rumour", "Unknown source slug(s): rumour."),
        ("category", "lasers", "Unknown materiel category(s): lasers."),
        ("status", "lost", "Unknown status value(s): lost."),
        ("stance", "maybe", "Unknown stance value(s): maybe."),
        ("sanctioned", "perhaps", "Must be true or false."),
        ("covert", "yes please", "Must be true or false."),
        ("contested", "2", "Must be true or false."),
        ("reviewed", "maybe", "Must be true or false."),
        ("destination", "atlantis", "Unknown place slug(s): atlantis."),
        ("place", "atlantis", "Unknown place slug(s): atlantis."),
        ("region", "Atlantis", "Unknown UN M49 region(s): Atlantis."),
        ("reported_after", "2022-13-01", "Enter a valid date."),
        ("reported_before", "yesterday", "Enter a valid date."),
        ("ordering", "price", "Select a valid choice."),
    ],
)
def test_a_bad_value_answers_400_naming_the_parameter(client, world, param, value, message):
    response = client.get(URL, {param: value})
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [param]
    assert errors[param][0].startswith(message)


def test_every_bad_parameter_is_named_at_once(client, world):
    response = client.get(URL, {"supplier": "XXX", "reported_after": "nope"})
    assert response.status_code == 400
    assert set(response.json()) == {"supplier", "reported_after"}


def test_a_filterset_builds_its_form_class_once_and_each_form_its_own_fields():
    from transfers.api.filters import StateFilter, TransferFilter

    first, second = TransferFilter(data={"q": "shells"}), TransferFilter(data={"q": "drones"})
    assert first.get_form_class() is second.get_form_class()
    assert StateFilter(data={}).get_form_class() is not first.get_form_class()
    assert first.form.fields["q"] is not second.form.fields["q"]
    assert (first.form.data["q"], second.form.data["q"]) == ("shells", "drones")


def test_a_sanctioned_named_actor_makes_its_transfers_sanctioned_and_empty_actors_do_not(client, world):
    from transfers.models import SanctionDesignation

    # rifles' recipient actor is the Wagner Group; no other transfer names it. Every other party is
    # unsanctioned, and most transfers name no actor at all: they must come out false, not unknown.
    SanctionDesignation.objects.create(
        slug="wagner", regime=SanctionDesignation.objects.get().regime, actor=world.actors["wagner-group"],
        source=world.sources["unsc"], quote="The Security Council imposed sanctions",
    )
    assert get(client, sanctioned="true") == {"shells", "rifles"}
    assert get(client, sanctioned="false") == {"drones", "us-shells"}
    flags = {row["slug"]: row["sanctioned"] for row in client.get(URL).json()["results"]}
    assert flags == {"shells": True, "rifles": True, "drones": False, "us-shells": False}
