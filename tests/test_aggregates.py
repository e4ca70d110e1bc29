"""transfers.aggregates: facets, the overview's figures and the network, each checked against the same
count made the slow way (every selected transfer read and counted in Python)."""

import datetime
import random
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from transfers import aggregates, readmodel
from transfers.models import SanctionDesignation, Transfer
from transfers.selectors import transfer_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """60 transfers among five States, in three categories, over four years (some undated), a tenth
    of them denied, routes through two transit States, one State under sanctions. Test data, not facts."""
    with readmodel.batched():
        rng = random.Random(7)
        states = [f.StateFactory(iso3=code, name=f"Test State {code}") for code in ("AAA", "BBB", "CCC", "DDD", "EEE")]
        materiel = [f.MaterielFactory(category=category) for category in ("ammunition", "uav", "missile")]
        source = f.SourceFactory()
        regime = f.SanctionsRegimeFactory()
        SanctionDesignation.objects.create(slug="test-designation", regime=regime, state=states[0], source=source,
                                           quote="the shipment of rockets left the port in March")
        for n in range(60):
            supplier, recipient = rng.sample(states, 2)
            year = rng.choice([2019, 2020, 2021, 2022, None])
            transfer = f.TransferFactory(
                supplier=supplier, recipient=recipient, materiel=rng.choice(materiel),
                status=rng.choice(["delivered", "ordered", "in_transit"]),
                first_reported=datetime.date(year, 3, 1) if year else None,
                quantity=rng.choice([None, 12, 300]), quantity_delivered=rng.choice([None, 4]),
            )
            f.ClaimFactory(transfer=transfer, source=source, credibility=rng.choice([2, 3, 6]))
            if n % 10 == 0:
                f.ClaimFactory(transfer=transfer, source=source, stance="denies", credibility=6)
            if n % 7 == 0:
                transfer.route.create(state=rng.choice([s for s in states if s not in (supplier, recipient)]))
    return {state.iso3: state for state in states}


def slow_facets(filters) -> dict[str, Counter]:
    rows = list(transfer_list(filters=filters))
    return {
        "supplier": Counter(t.supplier.iso3 for t in rows),
        "recipient": Counter(t.recipient.iso3 for t in rows),
        "category": Counter(t.category for t in rows),
        "status": Counter(t.status for t in rows),
        "year": Counter(str(t.first_reported.year) for t in rows if t.first_reported),
        "contested": Counter("true" if t.contested else "false" for t in rows),
        "sanctioned": Counter("true" if t.sanctioned else "false" for t in rows),
    }


# Selections the read model's summary counts (made by one facet, or none), then others, counted
# over the transfers.
SELECTIONS = [
    {},
    {"supplier": "AAA"},
    {"recipient": "BBB,CCC"},
    {"category": ["uav", "missile"]},
    {"status": ["delivered"]},
    {"sanctioned": False},
    {"contested": True},
    {"reported_after": datetime.date(2020, 1, 1), "reported_before": datetime.date(2021, 12, 31)},
    {"reported_after": datetime.date(2021, 1, 1)},
    {"reported_before": datetime.date(2020, 12, 31)},
    {"category": ["uav"], "status": ["delivered", "ordered"]},
    {"supplier": "AAA", "recipient": "BBB"},
    {"stance": ["denies"]},
    {"reported_after": datetime.date(2020, 3, 1)},
]
SUMMARIZED = 10  # the first ten


def validated(world, filters):
    """The filters as the API's filter form cleans them (State codes to primary keys)."""
    return {key: [world[code].pk for code in value.split(",")] if key in ("supplier", "recipient") else value
            for key, value in filters.items()}


def test_the_first_selections_are_the_summarys_and_the_rest_are_not(world):
    assert [aggregates.facets_summarized(validated(world, s)) for s in SELECTIONS] == \
        [True] * SUMMARIZED + [False] * (len(SELECTIONS) - SUMMARIZED)


@pytest.mark.parametrize("filters", SELECTIONS)
def test_each_facet_counts_what_the_list_selects(world, filters):
    filters = validated(world, filters)
    facets = aggregates.transfer_facets(filters=filters)
    expected = slow_facets(filters)
    for name in aggregates.FACETS:
        assert {v.value: v.count for v in facets[name]} == dict(expected[name]), name


@pytest.mark.parametrize("filters", SELECTIONS[SUMMARIZED:])
def test_a_selection_over_the_bound_is_counted_facet_by_facet_alike(world, filters, monkeypatch):
    monkeypatch.setattr(aggregates, "COUNTED_AT_ONCE", 2)
    filters = validated(world, filters)
    facets = aggregates.transfer_facets(filters=filters)
    expected = slow_facets(filters)
    for name in aggregates.FACETS:
        assert {v.value: v.count for v in facets[name]} == dict(expected[name]), name


@pytest.mark.parametrize(("bound", "grouped"), [(1000, 1), (2, len(aggregates.FACETS))])
def test_a_selection_within_the_bound_is_read_once_for_every_facet(world, monkeypatch, bound, grouped):
    monkeypatch.setattr(aggregates, "COUNTED_AT_ONCE", bound)
    with CaptureQueriesContext(connection) as queries:
        aggregates.transfer_facets(filters=validated(world, {"supplier": "AAA", "recipient": "BBB"}))
    reads = [q["sql"] for q in queries.captured_queries if "transfers_transfer" in q["sql"]]
    # One query reads at most bound + 1 of the selection's ids; then one GROUP BY, or one per facet.
    assert len(reads) == 1 + grouped
    assert sum("GROUP BY" in sql for sql in reads) == grouped


def test_a_facet_named_twice_is_counted_once_and_none_reads_nothing(world, django_assert_num_queries):
    filters = validated(world, {"supplier": "AAA", "recipient": "BBB"})
    twice = aggregates.transfer_facets(filters=filters, fields=("status", "status"))
    assert {v.value: v.count for v in twice["status"]} == dict(slow_facets(filters)["status"])
    with django_assert_num_queries(0):
        assert aggregates.transfer_facets(filters=filters, fields=()) == {}


def test_a_selection_by_one_facet_is_counted_without_reading_the_transfers(world):
    with CaptureQueriesContext(connection) as queries:
        aggregates.transfer_facets(filters=validated(world, {"supplier": "AAA,BBB"}))
        aggregates.transfer_stats(by=("year", "recipient"), filters=validated(world, {"recipient": "CCC"}))
    assert queries.captured_queries and not any("transfers_transfer" in q["sql"] for q in queries.captured_queries)


def slow_stats(filters, by) -> dict[tuple, tuple]:
    """Transfers and known quantities per cell, counted in Python over the listed transfers."""
    def key(transfer, name):
        if name in ("supplier", "recipient"):
            state = getattr(transfer, name)
            return state.iso3 if state else None
        if name == "year":
            return transfer.first_reported.year if transfer.first_reported else None
        return getattr(transfer, name)

    cells: dict[tuple, list] = {}
    for transfer in transfer_list(filters=filters):
        cell = cells.setdefault(tuple(key(transfer, name) for name in by), [0, None, None])
        cell[0] += 1
        for i, quantity in ((1, transfer.quantity), (2, transfer.quantity_delivered)):
            if quantity is not None:
                cell[i] = (cell[i] or 0) + quantity
    return {k: tuple(v) for k, v in cells.items()}


@pytest.mark.parametrize("filters", SELECTIONS)
def test_each_trend_table_counts_and_sums_what_the_list_selects(world, filters):
    filters = validated(world, filters)
    for by in (("year",), ("supplier",), ("supplier", "year"), ("year", "recipient"), ("category", "status")):
        cells = aggregates.transfer_stats(by=by, filters=filters)
        got = {tuple(cell.keys[name] for name in by): (cell.transfers, cell.quantity_ordered, cell.quantity_delivered)
               for cell in cells}
        assert got == slow_stats(filters, by), by


def test_facet_values_come_most_frequent_first_with_names(world):
    facets = aggregates.transfer_facets(fields=("supplier", "year"))
    counts = [v.count for v in facets["supplier"]]
    assert counts == sorted(counts, reverse=True)
    assert all(v.label == f"Test State {v.value}" for v in facets["supplier"])
    years = [v.value for v in facets["year"]]
    assert years == sorted(years, reverse=True)


def test_an_unknown_facet_is_refused_by_name(world):
    with pytest.raises(ValueError, match="'colour'"):
        aggregates.transfer_facets(fields=("colour",))


def test_the_overview_figures_match_a_count_of_every_transfer(world):
    overview = aggregates.transfer_overview()
    rows = list(transfer_list())
    assert overview.transfers == len(rows) == 60
    assert overview.contested == sum(t.contested for t in rows) == 6
    assert overview.suppliers == len({t.supplier_id for t in rows})
    assert overview.recipients == len({t.recipient_id for t in rows})
    cells = Counter((t.first_reported.year, t.category) for t in rows if t.first_reported)
    assert {(c["year"], c["category"]): c["count"] for c in overview.by_year_category} == dict(cells)


def test_the_network_weights_each_pair_and_each_transit_leg_by_its_transfers(world):
    network = aggregates.transfer_network()
    rows = list(Transfer.objects.select_related("supplier", "recipient").prefetch_related("route__state"))
    pairs = Counter((t.supplier.iso3, t.recipient.iso3) for t in rows)
    assert {(e.source, e.target): e.count for e in network.edges if e.kind == "supply"} == dict(pairs)
    legs = Counter()
    for t in rows:
        for step in t.route.all():
            legs[(t.supplier.iso3, step.state.iso3)] += 1
            legs[(step.state.iso3, t.recipient.iso3)] += 1
    assert {(e.source, e.target): e.count for e in network.edges if e.kind == "transit"} == dict(legs)
    assert network.nodes == {code: f"Test State {code}" for code in world}


def test_a_states_neighbourhood_keeps_only_the_transfers_that_touch_it(world):
    network = aggregates.transfer_network(state=world["BBB"].pk)
    for edge in network.edges:
        if edge.kind == "supply":
            assert "BBB" in (edge.source, edge.target) or any(
                via == "BBB" for s, via, r, _ in network.routes if (s, r) == (edge.source, edge.target)
            )


def test_the_credibility_filter_keeps_transfers_asserted_that_well(world):
    network = aggregates.transfer_network(credibility=2)
    expected = Counter(
        (t.supplier.iso3, t.recipient.iso3) for t in Transfer.objects.select_related("supplier", "recipient")
        if t.claims.filter(stance="asserts", credibility__lte=2).exists()
    )
    assert {(e.source, e.target): e.count for e in network.edges if e.kind == "supply"} == dict(expected)


def test_state_totals_and_roles_count_each_role(world):
    totals = aggregates.state_totals()
    for code, state in world.items():
        roles = aggregates.state_roles(state)
        assert totals.get(code, {"supplier": 0})["supplier"] == roles.supplier == state.supplied_transfers.count()
        assert totals.get(code, {"recipient": 0})["recipient"] == roles.recipient
        assert roles.transit == Transfer.objects.filter(route__state=state).count()


def test_an_actors_network_is_the_network_of_the_actor_filter(world):
    states = list(world.values())
    actor = f.ActorFactory(state=states[0])
    transfers = list(Transfer.objects.order_by("id"))
    for transfer in transfers[:5]:
        transfer.supplier_actor = actor
        transfer.save()
    transfers[5].recipient_actor = actor
    transfers[5].save()
    for transfer in transfers[4:9]:  # one overlaps the supplied ones
        f.ClaimFactory(transfer=transfer, claimant=actor, source=transfer.claims.first().source)
    network = aggregates.actor_network(actor=actor.pk)
    expected = aggregates.transfer_network(filters={"actor": [actor.pk]})
    assert network.edges == expected.edges and network.routes == expected.routes and network.nodes == expected.nodes
    assert sum(edge.count for edge in network.edges if edge.kind == "supply") == 9


def network_counts(network) -> tuple[dict, dict]:
    return ({(e.source, e.target): e.count for e in network.edges if e.kind == "supply"},
            {(s, v, r): n for s, v, r, n in network.routes})


@pytest.mark.parametrize(("filters", "credibility"), [
    ({"category": ["uav"]}, None),
    ({"category": ["uav", "missile"], "status": ["delivered"]}, None),
    ({}, 2),
    ({"category": ["uav"]}, 3),
    ({"reported_after": datetime.date(2020, 1, 1)}, None),
    ({"reported_after": datetime.date(2020, 1, 1), "reported_before": datetime.date(2021, 12, 31)}, 3),
    ({"reported_before": datetime.date(2020, 12, 31), "status": ["ordered", "in_transit"]}, 6),
])
def test_a_network_filtered_by_the_network_tallies_dimensions_reads_them_and_counts_the_same(
    world, filters, credibility, django_assert_max_num_queries
):
    filters = {"supplier": [world["AAA"].pk, world["BBB"].pk], **filters} if credibility == 6 else filters
    assert aggregates._network_tally_filter(filters, credibility) is not None
    selection = aggregates._credible(aggregates._selection(filters), credibility)
    expected = network_counts(aggregates._network_over(selection, limit=300))
    with django_assert_max_num_queries(3):  # two GROUP BYs over the tallies, the States' names
        network = aggregates.transfer_network(filters=filters, credibility=credibility)
    assert network_counts(network) == expected
    assert sum(expected[0].values()) > 0


@pytest.mark.parametrize(("filters", "credibility"), [
    ({"reported_after": datetime.date(2020, 3, 2)}, None),  # not a whole year
    ({"reported_before": datetime.date(2020, 6, 30)}, 2),
    ({"q": "shells"}, None),  # not a dimension of the tallies
    ({"contested": True}, 3),
])
def test_other_filters_count_over_the_transfers(world, filters, credibility):
    assert aggregates._network_tally_filter(filters, credibility) is None
    network = aggregates.transfer_network(filters=filters, credibility=credibility)
    selection = aggregates._credible(aggregates._selection(filters), credibility)
    assert network_counts(network) == network_counts(aggregates._network_over(selection, limit=300))


def test_the_map_totals_of_a_filtered_selection_read_the_network_tallies(world):
    filters = {"category": ["uav"], "reported_after": datetime.date(2020, 1, 1)}
    rows = [t for t in Transfer.objects.select_related("supplier", "recipient")
            if t.category == "uav" and t.first_reported and t.first_reported.year >= 2020]
    totals = aggregates.state_totals(filters=filters)
    assert {code: c["supplier"] for code, c in totals.items() if c["supplier"]} == dict(
        Counter(t.supplier.iso3 for t in rows))
    assert {code: c["recipient"] for code, c in totals.items() if c["recipient"]} == dict(
        Counter(t.recipient.iso3 for t in rows))
