"""/api/v1/transfers/facets/ and /api/v1/stats/transfers/: counts for the transfers the filters select,
each checked against the same count made the slow way (the selected transfers read and counted in
Python)."""

import csv
import datetime
import io
import random
from collections import Counter

import pytest

from tests import factories as f
from transfers.models import Transfer

pytestmark = pytest.mark.django_db

FACETS = "/api/v1/transfers/facets/"
STATS = "/api/v1/stats/transfers/"


@pytest.fixture
def world():
    """40 transfers among four States, in two categories, over three years (some undated), with
    quantities known for some; a fifth of them denied. Test data, not facts."""
    rng = random.Random(11)
    states = [f.StateFactory(iso3=code, name=f"Test State {code}") for code in ("AAA", "BBB", "CCC", "DDD")]
    materiel = [f.MaterielFactory(category=category) for category in ("ammunition", "uav")]
    source = f.SourceFactory()
    for n in range(40):
        supplier, recipient = rng.sample(states, 2)
        year = rng.choice([2019, 2020, 2021, None])
        transfer = f.TransferFactory(
            supplier=supplier, recipient=recipient, materiel=rng.choice(materiel),
            status=rng.choice(["delivered", "ordered"]), first_reported=datetime.date(year, 5, 1) if year else None,
            quantity=rng.choice([None, 10, 250]), quantity_delivered=rng.choice([None, 5]),
        )
        if n % 5 == 0:
            f.ClaimFactory(transfer=transfer, source=source, stance="denies", credibility=6)
    return states


def slow_stats(rows, by):
    cells: dict[tuple, dict] = {}

    def key(transfer, name):
        if name in ("supplier", "recipient"):
            return getattr(transfer, name).iso3
        if name == "year":
            return transfer.first_reported.year if transfer.first_reported else None
        return getattr(transfer, name)

    for transfer in rows:
        cell = cells.setdefault(tuple(key(transfer, name) for name in by),
                                {"transfers": 0, "quantity_ordered": None, "quantity_delivered": None})
        cell["transfers"] += 1
        for measure, field in (("quantity_ordered", "quantity"), ("quantity_delivered", "quantity_delivered")):
            if getattr(transfer, field) is not None:
                cell[measure] = (cell[measure] or 0) + getattr(transfer, field)
    return cells


def test_facets_count_what_the_list_selects(client, world):
    response = client.get(FACETS, {"supplier": "AAA,BBB", "category": "uav"})
    assert response.status_code == 200, response.content
    rows = Transfer.objects.filter(supplier__iso3__in=["AAA", "BBB"], category="uav")
    facets = response.json()
    assert set(facets) == {"supplier", "recipient", "category", "status", "year", "contested"}
    assert {v["value"]: v["count"] for v in facets["recipient"]} == dict(Counter(t.recipient.iso3 for t in rows))
    assert {v["value"]: v["count"] for v in facets["status"]} == dict(Counter(t.status for t in rows))
    assert sum(v["count"] for v in facets["contested"]) == rows.count()


def test_unfiltered_facets_come_from_the_tallies_and_agree_with_a_count(client, world, django_assert_num_queries):
    # supplier: the pair tallies, then the States' codes and names; year: the year/category tallies.
    with django_assert_num_queries(3):
        response = client.get(FACETS, {"fields": "supplier,year"})
    facets = response.json()
    assert {v["value"]: v["count"] for v in facets["supplier"]} == dict(
        Counter(t.supplier.iso3 for t in Transfer.objects.all()))
    assert [v["label"] for v in facets["supplier"]][0].startswith("Test State ")


def test_facets_refuse_unknown_fields_and_bad_filters_by_name(client, world):
    response = client.get(FACETS, {"fields": "supplier,colour,smell"})
    assert response.status_code == 400
    assert "colour, smell" in response.json()["fields"][0]
    assert client.get(FACETS, {"supplier": "XXX"}).json()["supplier"][0].startswith("Unknown state code")
    assert "no_such" in client.get(FACETS, {"no_such": "1"}).json()
    assert "limit" in client.get(FACETS, {"limit": "0"}).json()


def test_facets_in_csv(client, world):
    response = client.get(FACETS, {"fields": "status", "format": "csv"})
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines[0] == ["facet", "value", "label", "count"]
    assert sum(int(line[3]) for line in lines[1:]) == Transfer.objects.count()


@pytest.mark.parametrize("by,filters", [
    ("year", {}),
    ("year,supplier", {}),
    ("supplier,recipient", {"category": "uav"}),
    ("category,status", {"reported_after": "2020-01-01"}),
    ("recipient", {"contested": "true"}),
])
def test_stats_count_and_sum_each_cell_as_a_slow_count_does(client, world, by, filters):
    response = client.get(STATS, {"by": by, **filters})
    assert response.status_code == 200, response.content
    body = response.json()
    dimensions = by.split(",")
    assert body["by"] == dimensions
    rows = Transfer.objects.all()
    if "category" in filters:
        rows = rows.filter(category=filters["category"])
    if "reported_after" in filters:
        rows = rows.filter(first_reported__gte=filters["reported_after"])
    if "contested" in filters:
        rows = rows.filter(claims__stance="denies").distinct()
    expected = slow_stats(rows, dimensions)
    got = {tuple(cell[name] for name in dimensions): {m: cell[m] for m in (
        "transfers", "quantity_ordered", "quantity_delivered")} for cell in body["cells"]}
    assert got == expected
    assert sum(cell["transfers"] for cell in body["cells"]) == rows.count()


def test_stats_cells_come_in_key_order_with_unknowns_last(client, world):
    years = [cell["year"] for cell in client.get(STATS, {"by": "year"}).json()["cells"]]
    assert years == [2019, 2020, 2021, None]


def test_stats_refuse_more_than_two_dimensions_and_unknown_ones(client, world):
    assert "by" in client.get(STATS, {"by": "year,supplier,status"}).json()
    assert "colour" in client.get(STATS, {"by": "colour"}).json()["by"][0]
    assert client.get(STATS, {"by": "year", "recipient": "ZZZ"}).status_code == 400


def test_stats_in_csv_by_format_and_by_accept_header(client, world):
    for response in (client.get(STATS, {"by": "year,category", "format": "csv"}),
                     client.get(STATS, {"by": "year,category"}, HTTP_ACCEPT="text/csv")):
        assert response["Content-Type"].startswith("text/csv")
        lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert lines[0] == ["year", "category", "transfers", "quantity_ordered", "quantity_delivered"]
        assert sum(int(line[2]) for line in lines[1:]) == Transfer.objects.count()
