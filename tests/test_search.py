"""?q= and the admin's search: full-text, stemmed, with websearch syntax, alike on PostgreSQL
(tsvector, websearch_to_tsquery) and SQLite (FTS5, porter)."""

import datetime

import pytest
from django.urls import reverse

from tests import factories as f
from transfers.models import Transfer
from transfers.readmodel.search import to_fts5, transfer_search

URL = "/api/v1/transfers/"


def found(client, q, **params):
    response = client.get(URL, {"q": q, "page_size": 500, **params})
    assert response.status_code == 200, response.content
    return {row["slug"] for row in response.json()["results"]}


@pytest.mark.parametrize(("text", "expression"), [
    ("deny", '"deny"'),
    ('"artillery shells" russia', '"artillery shells" AND "russia"'),
    ("shells OR drones", '("shells" OR "drones")'),
    ("shells -russia", '"shells" NOT "russia"'),
    ('-"artillery shells" drones', '"drones" NOT "artillery shells"'),
    ("a*b (c) ^d", '"a b" AND "c" AND "d"'),  # as PostgreSQL, a*b is the phrase a b
    ('"unclosed phrase', '"unclosed phrase"'),
    ("-only", ""),
    ("OR", ""),
])
def test_websearch_syntax_becomes_fts5_syntax(text, expression):
    assert to_fts5(text) == expression


def test_a_word_finds_its_other_forms(client, article):
    denial = found(client, "denied")
    assert denial  # Pyongyang "denied" the earlier U.S. claim
    assert found(client, "deny") == denial
    assert found(client, "denies") == denial


def test_a_quoted_phrase_matches_as_a_phrase(client, article):
    phrase = found(client, '"artillery shells"')
    assert phrase
    assert found(client, '"shells artillery"') == set()
    assert phrase <= found(client, "artillery shells")


def test_minus_excludes_and_or_joins(client, article):
    shells, drones = found(client, "shells"), found(client, "drones")
    assert shells and drones and shells != drones
    assert found(client, "shells OR drones") == shells | drones
    assert found(client, "shells -drones") == shells - drones
    assert found(client, "zzzqx") == set()


def test_names_designations_and_aliases_are_searched(client, db):
    materiel = f.MaterielFactory(name="Loitering munition", designation="Shahed-136", aliases=["Geran-2"])
    transfer = f.TransferFactory(materiel=materiel, description="")
    assert found(client, "geran") == {transfer.slug}
    assert found(client, "shahed") == {transfer.slug}
    assert found(client, "loitering") == {transfer.slug}


def test_relevance_orders_the_best_matches_first_and_pages_on(client, db):
    best = f.TransferFactory(description="drones drones drones and more drones")
    f.TransferFactory(description="a long text about shipments of many kinds, once mentioning drones among others")
    f.TransferFactory(description="nothing to see")
    first = client.get(URL, {"q": "drones", "ordering": "relevance", "page_size": 1}).json()
    assert [row["slug"] for row in first["results"]] == [best.slug]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["results"][0]["slug"] != best.slug
    assert client.get(second["next"]).json()["results"] == [] if second["next"] else True


def test_a_search_pages_in_the_list_order_and_follows_a_changed_date(client, db):
    """?q= without ordering lists its matches as the list does (newest first, undated last, then by
    id), page after page; PostgreSQL orders them by the words' copy of the date, kept current."""
    dates = [datetime.date(2021, 5, 1), None, datetime.date(2023, 1, 2), datetime.date(2021, 5, 1),
             datetime.date(2022, 7, 9), None]
    matching = [f.TransferFactory(description="flares for the fleet", first_reported=day) for day in dates]
    f.TransferFactory(description="nothing to see", first_reported=datetime.date(2024, 1, 1))

    def pages(**params):
        slugs, url, params = [], URL, {"q": "flare", "page_size": 2, **params}
        while url:
            body = client.get(url, params).json()
            slugs += [row["slug"] for row in body["results"]]
            url, params = body["next"], {}
        return slugs

    def listed():  # the unsearched list's order, restricted to the matches
        slugs = {t.slug for t in matching}
        return [row["slug"] for row in client.get(URL, {"page_size": 500}).json()["results"] if row["slug"] in slugs]

    assert pages() == listed() and len(pages()) == len(matching)
    assert pages()[-2:] == [t.slug for t in sorted(matching[1::4], key=lambda t: -t.pk)]  # undated last
    undated = matching[1]
    undated.first_reported = datetime.date(2025, 3, 3)  # now the newest
    undated.save()
    assert pages()[0] == undated.slug and pages() == listed()


def test_a_search_alone_sends_last_modified_and_a_blank_search_lists_everything(client, db):
    older = f.TransferFactory(description="flares for the fleet")
    newer = f.TransferFactory(description="flares again")
    f.TransferFactory(description="nothing to see")
    response = client.get(URL, {"q": "flare"})
    assert response.status_code == 200 and "Last-Modified" in response
    assert client.get(URL, {"q": "flare"}, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
    assert {older.slug, newer.slug} == {row["slug"] for row in response.json()["results"]}
    # Blank words do not search, whichever path a list takes.
    assert client.get(URL, {"q": "  "}).json()["results"] == client.get(URL).json()["results"]


def test_relevance_without_a_search_answers_400(client, db):
    response = client.get(URL, {"ordering": "relevance"})
    assert response.status_code == 400 and "ordering" in response.json()


@pytest.mark.parametrize("ordering", ["id,relevance", "-quantity,-relevance", "relevance,id"])
def test_relevance_beside_other_keys_answers_400_wherever_it_stands(client, db, ordering):
    # Found by schemathesis: relevance after another key reached the ORM and answered 500.
    for params in ({"ordering": ordering}, {"ordering": ordering, "q": "drones"}):
        response = client.get(URL, params)
        assert response.status_code == 400 and "ordering" in response.json(), params


def test_the_admin_search_finds_what_the_api_finds(editor_client, article):
    for words in ("deny", '"artillery shells"', "shells -drones", "shells OR drones"):
        api = found(editor_client, words)
        page = editor_client.get(reverse("admin:transfers_transfer_changelist"), {"q": words})
        assert page.status_code == 200
        admin = {transfer.slug for transfer in page.context["cl"].result_list}
        assert admin == api, words
    assert set(transfer_search(Transfer.objects.all(), "deny").values_list("slug", flat=True)) == found(
        editor_client, "deny")
