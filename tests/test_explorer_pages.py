"""The public explorer (explorer/), read as an anonymous visitor over the article's curated data."""

import re
from html import unescape

import networkx as nx
import pytest
from django.urls import reverse

from transfers.models import Actor, Claim, Source, State, Transfer

pytestmark = pytest.mark.django_db

SHELLS = "prk-rus-artillery-shells-2022"
SOURCE = "wapo-2022-11-02-dprk-shells"
# The article's four supplier -> recipient pairs (fixtures/20_article_2022-11-02_dprk_shells.json).
PAIRS = {("PRK", "RUS"), ("IRN", "RUS"), ("PRK", "SYR"), ("RUS", "SYR")}


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def pages() -> list[str]:
    return [
        reverse("explorer:overview"),
        reverse("explorer:transfer-list"),
        reverse("explorer:transfer", args=[SHELLS]),
        reverse("explorer:source", args=[SOURCE]),
        reverse("explorer:state", args=["PRK"]),
        reverse("explorer:actor", args=["north-korean-government"]),
        reverse("explorer:network"),
        reverse("explorer:map"),
    ]


def test_the_root_is_the_overview_not_the_api(client, article):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Who supplies arms to whom" in text_of(response)
    assert client.get("/api/v1/").status_code == 200  # the API stays where it was


def test_every_page_answers_html_without_any_script(client, article):
    for path in pages():
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert "<script" not in html, path  # the pictures are server-rendered SVG
        assert '<main id="main">' in html and "<h1" in html, path


def test_the_pages_are_read_only_for_anyone(client, article):
    response = client.post(reverse("explorer:transfer-list"), {"q": "shells"})
    assert response.status_code == 405


def test_the_overview_shows_the_figures_and_the_articles_four_pairs(client, article):
    response = client.get("/")
    figures = response.context["figures"]
    assert (figures.transfers, figures.contested, figures.suppliers, figures.recipients, figures.sources) == (
        8, 1, 3, 2, 1
    )
    pairs = {(pair["source"], pair["target"]): pair["count"] for pair in response.context["pairs"]}
    assert pairs == {("IRN", "RUS"): 4, ("PRK", "SYR"): 2, ("PRK", "RUS"): 1, ("RUS", "SYR"): 1}
    html = response.content.decode()
    for supplier, recipient in PAIRS:
        assert f'data-pair="{supplier}-{recipient}"' in html
        assert f'data-source="{supplier}" data-target="{recipient}"' in html  # an edge of the picture


def test_the_overview_lists_the_contested_transfer(client, article):
    response = client.get("/")
    assert [t.slug for t in response.context["contested"]] == [SHELLS]


def test_the_transfer_list_counts_facets_for_the_selection(client, article):
    response = client.get(reverse("explorer:transfer-list"), {"supplier": "IRN"})
    assert response.status_code == 200
    assert {t.slug for t in response.context["rows"]} == set(
        Transfer.objects.filter(supplier__iso3="IRN").values_list("slug", flat=True)
    )
    facets = {name: {link["value"].value: link["value"].count for link in links}
              for name, _, links in response.context["facets"]}
    assert facets["supplier"] == {"IRN": 4}
    assert facets["recipient"] == {"RUS": 4}
    assert facets["status"] == {"delivered": 2, "ordered": 1, "anticipated": 1}
    assert facets["year"] == {"2022": 4}
    assert facets["contested"] == {"false": 4}
    assert response.context["total"] == 4


def test_the_transfer_list_takes_the_apis_parameters_and_links_the_same_selection_as_csv(client, article):
    response = client.get(reverse("explorer:transfer-list"), {"q": "shells", "stance": "denies"})
    assert [t.slug for t in response.context["rows"]] == [SHELLS]
    api = client.get(reverse("transfer-list"), {"q": "shells", "stance": "denies"}).json()
    assert [t["slug"] for t in api["results"]] == [SHELLS]
    assert response.context["csv_url"] == "/api/v1/transfers/?q=shells&stance=denies&format=csv"
    csv = client.get(response.context["csv_url"])
    assert csv["Content-Type"].startswith("text/csv")
    assert SHELLS in b"".join(csv.streaming_content).decode()
    claims = client.get(response.context["claims_csv_url"])
    assert claims.status_code == 200 and claims["Content-Type"].startswith("text/csv")
    lines = b"".join(claims.streaming_content).decode().splitlines()
    assert len(lines) == 1 + Claim.objects.filter(transfer__slug=SHELLS).count()


def test_a_bad_filter_answers_400_naming_the_parameter(client, article):
    response = client.get(reverse("explorer:transfer-list"), {"supplier": "XXX"})
    assert response.status_code == 400
    assert "supplier" in response.context["selection"].errors
    assert "Unknown state code(s): XXX." in text_of(response)


@pytest.mark.parametrize("params", [{"ordering": "relevance"}, {"ordering": "id,relevance", "q": "shells"}])
def test_relevance_out_of_its_place_answers_400_naming_ordering(client, article, params):
    # It answered 500: the rule was checked where the API's list filters, which the explorer also calls.
    response = client.get(reverse("explorer:transfer-list"), params)
    assert response.status_code == 400
    assert "ordering" in response.context["selection"].errors


def test_the_facet_links_narrow_and_widen_the_selection(client, article):
    response = client.get(reverse("explorer:transfer-list"), {"recipient": "SYR"})
    links = {name: links for name, _, links in response.context["facets"]}
    prk = next(link for link in links["supplier"] if link["value"].value == "PRK")
    assert prk["href"] == "?recipient=SYR&supplier=PRK" and not prk["active"]
    syr = next(link for link in links["recipient"] if link["value"].value == "SYR")
    assert syr["href"] == "?" and syr["active"]


def test_the_transfer_list_reads_a_fixed_number_of_queries(client, article, django_assert_num_queries):
    # The FilterSet's look-up of the State codes given (1); the page's transfers (one query, references
    # joined, flags from their records); a selection made by one facet is counted from the read model's
    # summary: the selected States' codes (1), one query per facet (7) and the States' names for supplier
    # and recipient (2).
    with django_assert_num_queries(12):
        client.get(reverse("explorer:transfer-list"), {"supplier": "PRK"})


def test_the_overview_reads_a_fixed_number_of_queries(client, article, django_assert_num_queries):
    # From the tallies: the total, suppliers and recipients, year x category (3); contested from the
    # denials, sources (2); the network's pairs, routes, names (3); the newest and the contested
    # transfers (2).
    with django_assert_num_queries(10):
        client.get("/")


def test_the_shells_page_sets_pyongyangs_denial_beside_the_white_houses_assertion(client, article):
    response = client.get(reverse("explorer:transfer", args=[SHELLS]))
    asserting = [claim.slug for claim in response.context["asserting"]]
    denying = [claim.slug for claim in response.context["denying"]]
    assert "prk-rus-shells-white-house" in asserting
    assert denying == ["prk-rus-shells-pyongyang-denial"]
    html = response.content.decode()
    denial = Claim.objects.get(slug="prk-rus-shells-pyongyang-denial")
    assert f'href="/sources/{SOURCE}/#quote-{denial.slug}"' in html
    text = text_of(response)
    assert "North Korean government" in text and "6 – truth cannot be judged" in text and "B – usually reliable" in text


def test_the_transfer_page_shows_the_route_and_dates_as_precise_as_written(client, article):
    response = client.get(reverse("explorer:transfer", args=[SHELLS]))
    stops = [(stop["label"], stop["role"]) for stop in response.context["route"]["stops"]]
    assert stops == [("North Korea", "supplier"), ("the Middle East", "transit region"),
                     ("North Africa", "transit region"), ("Russia", "recipient")]
    assert '<time datetime="2022-09">2022-09</time>' in response.content.decode()


def test_the_source_page_highlights_every_quote_and_links_it_to_its_claim_and_transfer(client, article):
    source = Source.objects.get(slug=SOURCE)
    response = client.get(reverse("explorer:source", args=[SOURCE]))
    html = response.content.decode()
    claims = list(source.claims.select_related("transfer"))
    assert len(claims) == 19
    marked = " ".join(re.findall(r'<mark data-claims="([^"]*)">', html)).split()
    for claim in claims:
        assert f'<span id="quote-{claim.slug}" class="anchor"></span>' in html
        assert claim.slug in marked
        assert f'href="#claim-{claim.slug}"' in html
        assert f'href="/transfers/{claim.transfer.slug}/#claim-{claim.slug}"' in html
    # The highlighted pieces put together give back each quote's passage of the text.
    pieces = response.context["pieces"]
    assert "".join(piece["text"] for piece in pieces) == source.text


def test_the_state_page_shows_its_roles_sanctions_and_neighbourhood(client, article):
    response = client.get(reverse("explorer:state", args=["prk"]))
    roles = response.context["roles"]
    assert (roles.supplier, roles.recipient, roles.transit) == (3, 0, 0)
    assert {d.regime.slug for d in response.context["sanctions"]} == set(
        State.objects.get(iso3="PRK").sanctions.values_list("regime__slug", flat=True)
    )
    codes = {node["code"] for node in response.context["network"]["nodes"]}
    assert codes == {"PRK", "RUS", "SYR"}
    assert client.get(reverse("explorer:state", args=["ZZZ"])).status_code == 404


def test_the_actor_page_shows_what_it_says(client, article):
    response = client.get(reverse("explorer:actor", args=["north-korean-government"]))
    assert [claim.slug for claim in response.context["claims"]] == ["prk-rus-shells-pyongyang-denial"]
    assert [t.slug for t in response.context["supplied"]] == [SHELLS]


def test_the_network_holds_the_articles_states_and_filters_by_category(client, article):
    response = client.get(reverse("explorer:network"))
    assert set(response.context["names"]) == {"PRK", "RUS", "IRN", "SYR"}
    response = client.get(reverse("explorer:network"), {"category": "uav"})
    assert [(e.source, e.target, e.count) for e in response.context["edges"]] == [("IRN", "RUS", 1)]


def test_the_network_filters_by_credibility(client, article):
    # Credibility 2 or better: only the shells' claims (rated 2) qualify.
    response = client.get(reverse("explorer:network"), {"credibility": "2"})
    assert [(e.source, e.target) for e in response.context["edges"]] == [("PRK", "RUS")]
    assert client.get(reverse("explorer:network"), {"credibility": "9"}).status_code == 404


@pytest.mark.parametrize("format", ["gexf", "graphml"])
def test_the_network_downloads_as_a_file_networkx_reads(client, article, tmp_path, format):
    response = client.get(reverse("explorer:network-export", args=[format]), {"recipient": "RUS"})
    assert response.status_code == 200
    path = tmp_path / f"network.{format}"
    path.write_bytes(response.content)
    graph = nx.read_gexf(path) if format == "gexf" else nx.read_graphml(path)
    assert set(graph.nodes) == {"PRK", "RUS", "IRN"}
    assert graph.nodes["PRK"]["label"] == "North Korea"
    assert graph.edges["IRN", "RUS"]["weight"] == 4


def test_the_map_shades_states_from_the_shipped_outline(client, article):
    response = client.get(reverse("explorer:map"), {"show": "recipient"})
    countries = {c["iso3"]: c for c in response.context["picture"]["countries"] if c["iso3"]}
    assert countries["RUS"]["received"] == 5 and countries["SYR"]["received"] == 3
    assert countries["RUS"]["shade"] > countries["SYR"]["shade"] > countries["FRA"]["shade"] == 0
    assert len(response.context["picture"]["flows"]) == 4


def test_each_public_page_links_its_api_record(client, article):
    transfer = Transfer.objects.get(slug=SHELLS)
    expected = {
        reverse("explorer:transfer", args=[SHELLS]): f"/api/v1/transfers/{transfer.pk}/",
        reverse("explorer:source", args=[SOURCE]): f"/api/v1/sources/{SOURCE}/",
        reverse("explorer:state", args=["PRK"]): "/api/v1/states/PRK/",
        reverse("explorer:actor", args=["kirby"]): "/api/v1/actors/kirby/",
    }
    for page, api in expected.items():
        response = client.get(page)
        assert f'href="{api}"' in response.content.decode(), page
        assert client.get(api).status_code == 200


def test_the_admin_record_pages_link_to_their_public_page(admin_client, article):
    records = [Transfer.objects.get(slug=SHELLS), Source.objects.get(slug=SOURCE), State.objects.get(iso3="PRK"),
               Actor.objects.get(slug="kirby")]
    for record in records:
        meta = record._meta
        response = admin_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk]))
        assert response.status_code == 200
        # Django's "View on site" goes through its shortcut view to get_absolute_url.
        shortcut = re.search(r'href="(/admin/r/[^"]+)"', response.content.decode()).group(1)
        assert admin_client.get(shortcut)["Location"].endswith(record.get_absolute_url())
        assert client_ok(admin_client, record.get_absolute_url())


def client_ok(client, path: str) -> bool:
    return client.get(path).status_code == 200
