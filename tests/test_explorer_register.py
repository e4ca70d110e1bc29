"""The register's fields (issue 14) on the explorer's pages, over the hand-written second source
(tests/data/second_source_register.json) and the article's fixtures: read from the rendered HTML."""

import csv
import io
import re
from html import unescape
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from explorer import views
from transfers.models import Claim

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).resolve().parent / "data" / "second_source_register.json"


@pytest.fixture
def register(db):
    call_command("loaddata", str(FIXTURE), verbosity=0)


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))).strip()


def page(client, name, *args, **params) -> str:
    response = client.get(reverse(f"explorer:{name}", args=args), params)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def element(html: str, tag: str, css_class: str) -> list[str]:
    """The text of every ``<tag class="... css_class ...">`` (not nested in itself)."""
    found = re.findall(rf'<{tag} class="(?:[^"]* )?{css_class}(?: [^"]*)?"[^>]*>(.*?)</{tag}>', html, flags=re.S)
    return [text_of(part) for part in found]


def test_ordered_delivered_estimate_and_deliveries_per_year(client, register):
    html = page(client, "transfer", "irn-rus-shahed-136-test")
    assert element(html, "dd", "quantity") == ["2400 ordered · 1200 delivered (estimate) — “about 2,400 (estimate)”"]
    assert element(html, "ul", "deliveries") == ["2022 : 300 delivered 2023 : 900 delivered"]


def test_a_range_without_a_figure(client, register):
    html = page(client, "transfer", "unknown-libya-rifles-test")
    quantity = element(html, "dd", "quantity")[0]
    assert re.match(r"\d+–\d+", quantity), quantity  # "hundreds": a low-high range, no ordered figure
    assert "ordered" not in quantity


def test_the_timeline_shows_date_ranges_and_quantities(client, register):
    html = page(client, "transfer", "irn-rus-shahed-136-test")
    timeline = element(html, "ol", "timeline")[0]
    assert "2022-08/2022-10 Delivered 300 items" in timeline
    assert "900 items" in timeline


def test_the_broker_with_its_claim(client, register):
    html = page(client, "transfer", "irn-rus-shahed-136-test")
    assert element(html, "tr", "party") == [
        "Broker – arranges the deal for a fee Caspian Freight Brokers Ltd shahed-broker"]
    assert 'href="/actors/caspian-freight-brokers/"' in html


def test_the_route_legs_in_order_with_role_and_mode(client, register):
    html = page(client, "transfer", "irn-rus-shahed-136-test")
    legs = element(html, "tr", "leg")
    assert [leg.split(" ")[0] for leg in legs] == ["1", "2"]
    assert "Bandar Abbas" in legs[0] and "Origin" in legs[0] and "Sea" in legs[0]
    assert "Astrakhan" in legs[1] and "Transshipment" in legs[1] and "Sea" in legs[1]
    # The drawing follows the legs: origin port (in the supplier State), transshipment, recipient.
    steps = element(html, "ol", "route-steps")[0]
    assert steps.index("Bandar Abbas") < steps.index("Astrakhan") < steps.index("Russia")
    assert "(supplier, origin, by sea)" in steps and "(transshipment region, by sea)" in steps
    assert re.findall(r'class="stop-mode">([^<]*)<', html) == ["by sea"]  # to Astrakhan


def test_an_unknown_supplier_a_shipper_a_destination_leg_and_a_breach(client, register):
    html = page(client, "transfer", "unknown-libya-rifles-test")
    assert "unknown supplier" in text_of(html)
    assert element(html, "tr", "party")[0].startswith("Shipper")
    assert element(html, "ul", "breaches") == [text_of(element_html(html, "ul", "breaches"))]
    assert "rifles-embargo" in element(html, "ul", "breaches")[0]
    assert "Destination" in element(html, "tr", "leg")[0] and "Tobruk" in element(html, "tr", "leg")[0]


def element_html(html: str, tag: str, css_class: str) -> str:
    return re.search(rf'<{tag} class="{css_class}"[^>]*>(.*?)</{tag}>', html, flags=re.S).group(1)


def test_the_deal_value(client, register):
    html = page(client, "transfer", "rus-ind-s-400-test")
    value = element(html, "dd", "value")[0]
    assert value.startswith("5400000000 USD"), value


def test_a_disputing_claim_with_its_asserted_quantity_beside_the_assertion(client, register):
    html = page(client, "transfer", "rus-irn-su-35-test")
    asserting, denying = html.split('class="claims denies"')
    assert 'id="claim-su-35-official"' in denying and 'id="claim-su-35-register"' in asserting
    official = denying[denying.index('id="claim-su-35-official"'):]
    assert "Disputes a detail (confirms the transfer)" in text_of(official)
    assert element(official, "dd", "claim-quantity")[0] == "50"
    assert element(asserting, "dd", "claim-quantity") == ["24"]


def test_the_list_shows_quantities_compactly(client, register):
    html = page(client, "transfer-list")
    rows = {re.search(r'href="/transfers/([^/]+)/"', row).group(1): text_of(row)
            for row in re.findall(r"<tr>(.*?)</tr>", html.split("<tbody>")[1], flags=re.S)}
    quantities = {slug: element(f"<tr>{row}</tr>", "td", "quantity")[0] for slug, row in
                  ((slug, re.search(rf'<tr>((?:(?!</tr>).)*?/transfers/{slug}/.*?)</tr>', html, flags=re.S).group(1))
                   for slug in rows)}
    assert quantities["irn-rus-shahed-136-test"] == "2400 ordered · 1200 delivered est."
    assert quantities["rus-irn-su-35-test"] == "24 ordered"


def test_a_states_and_an_actors_other_roles(client, register):
    html = page(client, "actor", "caspian-freight-brokers")
    assert element(html, "tr", "other-role") == [
        "Broker Iran → Russia: Shahed-136 loitering munition 2024-01-15 shahed-broker"]
    assert "Broker: 1" in element(html, "p", "other-role-counts")[0]
    html = page(client, "actor", "blue-sea-shipping")
    assert element(html, "tr", "other-role")[0].startswith("Shipper unknown supplier → unknown recipient")


def test_the_articles_pages_still_read_and_show_no_other_roles_where_there_are_none(client, article):
    html = page(client, "state", "PRK")
    assert "In other roles" not in text_of(html)
    html = page(client, "transfer", "prk-rus-artillery-shells-2022")
    assert 'class="quantity"' in html


# -- the claims CSV of a whole selection ---------------------------------------------------------


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200, response.content if not response.streaming else ""
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_claims_csv_covers_the_whole_selection_not_one_page(client, article, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)  # the article's four IRN -> RUS transfers span two pages
    response = client.get(reverse("explorer:transfer-list"), {"supplier": "IRN"})
    assert len(response.context["rows"]) == 2 and response.context["next"]
    url = response.context["claims_csv_url"]
    assert url == reverse("explorer:transfer-claims-csv") + "?supplier=IRN"
    rows = csv_rows(client.get(url))
    expected = Claim.objects.filter(transfer__supplier__iso3="IRN")
    assert len({row["transfer"] for row in rows}) == 4
    assert sorted(row["slug"] for row in rows) == sorted(expected.values_list("slug", flat=True))
    # The same columns as the claims API's CSV.
    api = csv_rows(client.get(reverse("claim-list"), {"format": "csv"}))
    assert list(rows[0]) == list(api[0])
    assert {row["slug"] for row in rows} < {row["slug"] for row in api}


def test_the_claims_csv_takes_every_transfer_filter_and_refuses_others(client, article):
    rows = csv_rows(client.get(reverse("explorer:transfer-claims-csv"), {"q": "shells", "stance": "denies"}))
    assert {row["transfer"] for row in rows} == {"prk-rus-artillery-shells-2022"}
    assert "denies" in {row["stance"] for row in rows}
    everything = csv_rows(client.get(reverse("explorer:transfer-claims-csv")))
    assert len(everything) == Claim.objects.count()
    response = client.get(reverse("explorer:transfer-claims-csv"), {"suplier": "PRK"})
    assert response.status_code == 400 and b"suplier" in response.content
    response = client.get(reverse("explorer:transfer-claims-csv"), {"supplier": "XXX"})
    assert response.status_code == 400 and b"supplier" in response.content


def test_a_filtered_selection_too_large_to_count_lists_its_rows_without_facets(client, article, monkeypatch):
    # Selected by two facets, the summary cannot count it: its rows are, up to FACETED_AT_MOST.
    monkeypatch.setattr(views, "FACETED_AT_MOST", 3)
    selection = {"supplier": "IRN", "recipient": "RUS"}  # four transfers
    response = client.get(reverse("explorer:transfer-list"), selection)
    assert response.status_code == 200
    assert response.context["too_many"] and response.context["facets"] == []
    assert len(response.context["rows"]) == 4
    assert "More than 3 transfers selected" in text_of(response.content.decode())
    # Selected by one facet, the read model's summary counts it whatever its size.
    response = client.get(reverse("explorer:transfer-list"), {"supplier": "IRN"})
    assert not response.context["too_many"] and response.context["total"] == 4
    monkeypatch.setattr(views, "FACETED_AT_MOST", 4)
    response = client.get(reverse("explorer:transfer-list"), selection)
    assert not response.context["too_many"] and response.context["total"] == 4
    facets = {name: {link["value"].value: link["value"].count for link in links}
              for name, _, links in response.context["facets"]}
    assert facets["supplier"] == {"IRN": 4} and sum(facets["status"].values()) == 4
