"""Counts over transfers: the facets beside a list, the overview's figures, the network's edges.

Unfiltered, every count reads the tallies (``models/tallies.py``: a few thousand rows kept by the
write path) or the read model's summary (``FacetTally``, kept by ``transfers.readmodel.summary``),
never the transfers themselves; so do the facets and trend tables of a selection made by one facet
(?supplier=RUS). Any other selection is counted over the transfers it selects (GROUP BY in the
database), so that a facet counts exactly what the list shows: the cost grows with the selection,
not with the table. ``filters`` are the API's validated transfer filters
(``transfers.api.filters.TransferFilter``), applied by ``selectors.transfer_filter``.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from .choices import TRANSIT_ROLES, MaterielCategory, Stance, TransferStatus
from .models import (
    Claim,
    FacetTally,
    NetworkRouteTally,
    NetworkTally,
    PairTally,
    RouteTally,
    Source,
    State,
    StatusTally,
    Transfer,
    TransferVia,
    YearCategoryTally,
)
from .readmodel.summary import DIMENSIONS
from .selectors import transfer_filter

FACETS = DIMENSIONS  # the read model's summary counts by the same facets


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet: what a filter parameter takes, what a reader sees, how many transfers."""

    value: str
    label: str
    count: int


def _selection(filters: Mapping[str, Any] | None) -> QuerySet[Transfer]:
    queryset = Transfer.objects.order_by()
    return transfer_filter(queryset, filters) if filters else queryset


def _state_labels(ids) -> dict[int, tuple[str, str]]:
    rows = State.objects.filter(pk__in=list(ids)).values_list("id", "iso3", "name")
    return {pk: (iso3, name) for pk, iso3, name in rows}


# -- the read model's summary ---------------------------------------------------------------------------
# A selection made by one facet alone (?supplier=RUS, ?category=uav,missile, ?contested=true, whole
# years of ?reported_after/before) or by nothing is counted from the summary's rows (FacetTally):
# the rows of the selected values against each other facet. Any other selection is counted over the
# transfers it selects.

_SUMMARY_FILTERS = {"supplier": "supplier", "recipient": "recipient", "category": "category", "status": "status",
                    "contested": "contested", "sanctioned": "sanctioned", "reported_after": "year",
                    "reported_before": "year"}


@dataclass(frozen=True)
class _Summarized:
    """A selection the summary can count: the facet it is made by (None: every transfer) and the
    condition on that facet's value."""

    facet: str | None = None
    condition: Q = field(default_factory=Q)


def _given(filters: Mapping[str, Any] | None) -> dict[str, Any]:
    return {key: value for key, value in (filters or {}).items() if value not in (None, "", [], ())}


def facets_summarized(filters: Mapping[str, Any] | None) -> bool:
    """Whether the summary counts this selection: every transfer, or a selection made by one facet
    alone (dates as whole years)."""
    f = _given(filters)
    if len({_SUMMARY_FILTERS.get(key) for key in f}) > 1 or any(key not in _SUMMARY_FILTERS for key in f):
        return False
    return _whole_years(f)


def _whole_years(filters: Mapping[str, Any]) -> bool:
    """Whether the reporting-date bounds given, if any, are whole years: what the tallies and the
    summary, which count by year, can select."""
    after, before = filters.get("reported_after"), filters.get("reported_before")
    return (after is None or (after.month, after.day) == (1, 1)) and (
        before is None or (before.month, before.day) == (12, 31))


def _summarized(filters: Mapping[str, Any] | None) -> _Summarized | None:
    """The selection as the summary counts it, or None when ``facets_summarized`` says it cannot."""
    if not facets_summarized(filters):
        return None
    f = _given(filters)
    if not f:
        return _Summarized()
    facet = _SUMMARY_FILTERS[next(iter(f))]
    if facet in ("supplier", "recipient"):
        codes = State.objects.filter(pk__in=f[facet]).values_list("iso3", flat=True)
        return _Summarized(facet, Q(value__in=list(codes)))
    if facet in ("category", "status"):
        return _Summarized(facet, Q(value__in=list(f[facet])))
    if facet in ("contested", "sanctioned"):
        return _Summarized(facet, Q(value="true" if f[facet] else "false"))
    condition = ~Q(value="")  # a bound on the date leaves the undated out; four-digit years compare as text
    if "reported_after" in f:
        condition &= Q(value__gte=f"{f['reported_after'].year:04d}")
    if "reported_before" in f:
        condition &= Q(value__lte=f"{f['reported_before'].year:04d}")
    return _Summarized("year", condition)


def _partner(facet: str) -> str:
    """Another facet, which every transfer has a value of: summing over it counts a facet's values."""
    return "category" if facet == "status" else "status"


# What a count over the summary's rows answers, from which of its columns.
_SUMMARY_MEASURES = {"n": "transfers", "ordered": "quantity_ordered", "ordered_known": "ordered_known",
                     "delivered": "quantity_delivered", "delivered_known": "delivered_known"}


def _summary_rows(selection: _Summarized, names: tuple[str, ...]) -> QuerySet | None:
    """The summary's rows counting the selection by one or two facets: ``k0`` (and ``k1``), the
    values of ``names``, and the sums (``n`` transfers, quantities); None when the selection is made by
    a third facet (the summary pairs facets two by two)."""
    rows = FacetTally.objects.order_by()
    if len(names) == 1:
        (name,) = names
        if selection.facet in (None, name):  # summed over another facet
            rows = rows.filter(selection.condition, facet=name, by=_partner(name)).values(k0=F("value"))
        else:
            rows = rows.filter(selection.condition, facet=selection.facet, by=name).values(k0=F("by_value"))
    else:
        first, second = names
        if selection.facet in (None, first):
            rows = rows.filter(selection.condition, facet=first, by=second).values(k0=F("value"), k1=F("by_value"))
        elif selection.facet == second:
            rows = rows.filter(selection.condition, facet=second, by=first).values(k0=F("by_value"), k1=F("value"))
        else:
            return None
    # One facet adds up the rows of its values against another; a pair of values has one row of its own
    # (facettally_unique): those rows are the cells, nothing to add up.
    measure = Sum if len(names) == 1 else F
    return rows.annotate(**{name: measure(column) for name, column in _SUMMARY_MEASURES.items()}).filter(n__gt=0)


def _summary_counts(selection: _Summarized, name: str) -> dict[str, int]:
    return {row["k0"]: row["n"] for row in _summary_rows(selection, (name,))}


# How a GROUP BY over the transfers reads each facet's value (States by primary key, their codes
# looked up after; the summary's values are these as text).
_SCANNED = {"supplier": F("supplier_id"), "recipient": F("recipient_id"), "category": F("category"),
            "status": F("status"), "year": ExtractYear("first_reported"), "contested": F("record__contested"),
            "sanctioned": F("record__sanctioned")}


def _as_text(name: str, value, codes: dict[int, str]) -> str:
    """A facet's value read from the transfers, as the summary writes it."""
    if value is None:
        return ""
    if name in ("supplier", "recipient"):
        return codes[value]
    if name == "year":
        return f"{value:04d}"
    if name in ("contested", "sanctioned"):
        return "true" if value else "false"
    return value


def _grouped(queryset: QuerySet[Transfer], names: tuple[str, ...], **measures) -> QuerySet:
    """One GROUP BY over the transfers of ``queryset`` by the facets ``names`` (``k0``, ``k1``...),
    with ``measures``; the facets' values as the transfers hold them (States by primary key)."""
    return queryset.values(**{f"k{i}": _SCANNED[name] for i, name in enumerate(names)}).annotate(**measures).order_by()


def _state_codes(values) -> dict[int, str]:
    ids = set(values) - {None}
    return dict(State.objects.filter(pk__in=ids).values_list("pk", "iso3")) if ids else {}


def _scanned_rows(queryset: QuerySet[Transfer], names: tuple[str, ...]) -> list[dict]:
    """``_summary_rows`` counted over the transfers of ``queryset``: one GROUP BY, then the States' codes."""
    rows = list(_grouped(queryset, names, n=Count("id"), ordered=Sum("quantity"), ordered_known=Count("quantity"),
                         delivered=Sum("quantity_delivered"), delivered_known=Count("quantity_delivered")))
    states = [f"k{i}" for i, name in enumerate(names) if name in ("supplier", "recipient")]
    codes = _state_codes(row[key] for row in rows for key in states)
    return [{**row, **{f"k{i}": _as_text(name, row[f"k{i}"], codes) for i, name in enumerate(names)}}
            for row in rows]


# A selection of at most this many transfers has all its facets counted in one GROUP BY by every facet
# at once (at most one row per transfer), added up per facet here: the selection is evaluated once,
# where one GROUP BY per facet evaluated it (a search, say) once per facet. A larger selection gets one
# GROUP BY per facet, whose rows stay as few as the facet's values however many transfers it counts.
# Which one it is, a query reading at most this many of its ids tells first.
COUNTED_AT_ONCE = 100_000


def _scanned_counts(
    selection: QuerySet[Transfer], names: tuple[str, ...], *, bounded: bool
) -> dict[str, dict[str, int]]:
    """Each facet's counts over the transfers of ``selection`` (``bounded``: known to hold at most
    COUNTED_AT_ONCE transfers), by the values the summary writes."""
    if bounded or not selection.values_list("pk", flat=True)[COUNTED_AT_ONCE:COUNTED_AT_ONCE + 1]:
        counts = _added_up(selection, names)
    else:
        counts = {name: _added_up(selection, (name,))[name] for name in names}
    codes = _state_codes(value for name in ("supplier", "recipient") for value in counts.get(name, ()))
    return {name: {_as_text(name, value, codes): n for value, n in values.items()} for name, values in counts.items()}


def _added_up(queryset: QuerySet[Transfer], names: tuple[str, ...]) -> dict[str, Counter]:
    """The transfers of ``queryset`` counted per value of each facet: one GROUP BY by all of them."""
    counts = {name: Counter() for name in names}
    for *keys, n in _grouped(queryset, names, n=Count("id")).values_list(*(f"k{i}" for i in range(len(names))), "n"):
        for name, key in zip(names, keys, strict=True):
            counts[name][key] += n
    return counts


def _facet_values(name: str, counts: dict[str, int], limit: int) -> list[FacetValue]:
    """A facet's values as shown: most frequent first (years newest first, flags true first), ``limit``
    of them; unknown parties and undated transfers are not values of a facet."""
    counts = {value: n for value, n in counts.items() if n}
    if name in ("supplier", "recipient"):
        counts.pop("", None)
        top = sorted(counts, key=lambda code: (-counts[code], code))[:limit]
        names = dict(State.objects.filter(iso3__in=top).values_list("iso3", "name"))
        return [FacetValue(code, names.get(code, code), counts[code]) for code in top]
    if name in ("category", "status"):
        vocabulary = dict((MaterielCategory if name == "category" else TransferStatus).choices)
        top = sorted(counts, key=lambda value: (-counts[value], value))[:limit]
        return [FacetValue(value, vocabulary.get(value, value), counts[value]) for value in top]
    if name == "year":
        counts.pop("", None)
        years = sorted(counts, reverse=True)[:limit]
        return [FacetValue(str(int(year)), str(int(year)), counts[year]) for year in years]
    return [FacetValue(value, "yes" if value == "true" else "no", counts[value])
            for value in sorted(counts, key=lambda value: value != "true")]


def transfer_facets(
    *, filters: Mapping[str, Any] | None = None, fields: tuple[str, ...] = FACETS, limit: int = 20,
    ids: list[int] | None = None,
) -> dict[str, list[FacetValue]]:
    """Counts per value of each facet in ``fields`` for the transfers ``filters`` select.

    Every transfer, or a selection made by one facet: from the read model's summary, one query per
    facet (plus the States' names). Any other selection is counted over the selected transfers: by
    every facet in one GROUP BY when it holds at most COUNTED_AT_ONCE of them, else one GROUP BY per
    facet. Supplier and recipient by code, year from first_reported (undated transfers are left
    out of the year facet), contested and sanctioned as the records flag them. The most frequent
    ``limit`` values of each facet, most frequent first (years newest first).

    ``ids``, instead of ``filters``: the selection given as the transfers' primary keys (a caller
    that has already listed a bounded selection; the GROUP BYs then read those rows only).
    """
    unknown = [name for name in fields if name not in FACETS]
    if unknown:
        raise ValueError(f"Unknown facet {unknown[0]!r}; expected one of {', '.join(FACETS)}.")
    fields = tuple(dict.fromkeys(fields))  # each once: the facets are counted together below
    if not fields:
        return {}
    summarized = _summarized(filters) if ids is None else None
    if summarized is not None:
        return {name: _facet_values(name, _summary_counts(summarized, name), limit) for name in fields}
    if ids is not None:
        selection, bounded = _selection(None).filter(pk__in=ids), len(ids) <= COUNTED_AT_ONCE
    else:
        selection, bounded = _selection(filters), False
    counts = _scanned_counts(selection, fields, bounded=bounded)
    return {name: _facet_values(name, counts[name], limit) for name in fields}


def _total() -> int:
    return StatusTally.objects.aggregate(n=Sum("transfers"))["n"] or 0


@dataclass(frozen=True)
class Edge:
    """Transfers from one State to another (or through a transit State), counted."""

    source: str
    target: str
    count: int
    kind: str = "supply"  # "supply": supplier -> recipient; "transit": a leg to or from a State on the route


@dataclass
class Network:
    """States as nodes (code -> name), edges weighted by the number of transfers."""

    nodes: dict[str, str] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    # (supplier, transit State, recipient, transfers): the legs the map draws.
    routes: list[tuple[str, str, str, int]] = field(default_factory=list)

    def roles(self) -> dict[str, set[str]]:
        """Each node's roles in this network: supplier, recipient, transit."""
        roles: dict[str, set[str]] = {code: set() for code in self.nodes}
        for edge in self.edges:
            if edge.kind == "supply":
                roles[edge.source].add("supplier")
                roles[edge.target].add("recipient")
        for _, via, _, _ in self.routes:
            roles[via].add("transit")
        return roles


def _credible(queryset: QuerySet[Transfer], credibility: int | None) -> QuerySet[Transfer]:
    """Transfers with at least one asserting claim rated ``credibility`` or better (1 is best)."""
    if credibility is None:
        return queryset
    return queryset.filter(Exists(Claim.objects.filter(
        transfer=OuterRef("pk"), stance=Stance.ASSERTS, credibility__lte=credibility
    )))


def actor_network(*, actor: int, limit: int = 300) -> Network:
    """The network of the transfers an actor supplies, receives or makes a claim about: what
    ``transfer_network(filters={"actor": [actor]})`` gives, with the transfers found first through the
    actor columns' partial indexes and the claimant index (that filter's OR across an EXISTS made
    PostgreSQL test every transfer)."""
    ids = set(Claim.objects.filter(claimant_id=actor).values_list("transfer_id", flat=True))
    ids |= set(Transfer.objects.filter(supplier_actor_id=actor).values_list("id", flat=True))
    ids |= set(Transfer.objects.filter(recipient_actor_id=actor).values_list("id", flat=True))
    return _network_over(Transfer.objects.order_by().filter(pk__in=sorted(ids)), limit=limit)


def transfer_network(
    *, filters: Mapping[str, Any] | None = None, credibility: int | None = None, state: int | None = None,
    limit: int = 300,
) -> Network:
    """The supplier -> recipient network of the selected transfers, with their transit States.

    Two GROUP BYs: (supplier, recipient) over the transfers, (supplier, transit State, recipient)
    over their routes; then the States' codes and names. ``state`` keeps the edges that touch that State
    (its neighbourhood); ``limit`` keeps the heaviest edges of each kind.
    """
    if not filters and credibility is None:
        return _tallied_network(state=state, limit=limit)
    tallied = _network_tally_filter(filters or {}, credibility)
    if tallied is not None and state is None:
        return _tallied_filtered_network(tallied, limit=limit)
    selection = _credible(_selection(filters), credibility)
    if state is not None:
        selection = selection.filter(
            Q(supplier_id=state) | Q(recipient_id=state)
            | Exists(TransferVia.objects.filter(transfer=OuterRef("pk"), state_id=state, role__in=TRANSIT_ROLES))
        )
    return _network_over(selection, limit=limit)


# The filters the network tallies (NetworkTally, NetworkRouteTally) carry: a network selected by
# these alone (the network page's own form: years, category, status, credibility) is read from them.
NETWORK_TALLY_FILTERS = {"supplier", "recipient", "category", "status", "reported_after", "reported_before"}


def _network_tally_filter(filters: Mapping[str, Any], credibility: int | None) -> Q | None:
    """The filters as a condition on the network tallies' rows, or None when they select by more
    than those rows carry (another filter, or dates that are not whole years)."""
    f = {key: value for key, value in filters.items() if value not in (None, "", [], ())}
    if set(f) - NETWORK_TALLY_FILTERS:
        return None
    condition = Q()
    for name in ("supplier", "recipient"):
        if name in f:
            condition &= Q(**{f"{name}_id__in": f[name]})
    for name in ("category", "status"):
        if name in f:
            condition &= Q(**{f"{name}__in": f[name]})
    if not _whole_years(f):
        return None
    after, before = f.get("reported_after"), f.get("reported_before")
    if after is not None:
        condition &= Q(year__gte=after.year)
    if before is not None:
        condition &= Q(year__lte=before.year, year__gt=0)  # an undated transfer is never "before" a date
    if credibility is not None:
        condition &= Q(credibility__lte=credibility)  # NULL (no asserting claim) never qualifies
    return condition


def _tallied_filtered_network(condition: Q, *, limit: int) -> Network:
    """``transfer_network`` for a selection the network tallies carry: two GROUP BYs over their rows."""
    pairs = list(
        NetworkTally.objects.filter(condition).values_list("supplier_id", "recipient_id")
        .annotate(n=Sum("transfers")).order_by("-n", "supplier_id", "recipient_id")[:limit]
    )
    routes = list(
        NetworkRouteTally.objects.filter(condition).values_list("supplier_id", "via_id", "recipient_id")
        .annotate(n=Sum("transfers")).order_by("-n", "via_id", "supplier_id", "recipient_id")[:limit]
    )
    return _network_of(pairs, routes)


def _network_over(selection: QuerySet[Transfer], *, limit: int) -> Network:
    pairs = list(
        selection.values("supplier_id", "recipient_id").annotate(n=Count("id")).order_by("-n", "supplier_id")[:limit]
    )
    routes = list(
        TransferVia.objects.filter(transfer__in=selection.values("pk"), state__isnull=False, role__in=TRANSIT_ROLES)
        .order_by()
        .values("transfer__supplier_id", "state_id", "transfer__recipient_id").annotate(n=Count("id"))
        .order_by("-n", "state_id")[:limit]
    )
    ids = {row["supplier_id"] for row in pairs} | {row["recipient_id"] for row in pairs}
    for row in routes:
        ids |= {row["transfer__supplier_id"], row["state_id"], row["transfer__recipient_id"]}
    labels = _state_labels(ids)
    code = {pk: iso3 for pk, (iso3, _) in labels.items()}
    network = Network(nodes=dict(sorted(labels.values())))
    network.edges = [Edge(code[row["supplier_id"]], code[row["recipient_id"]], row["n"]) for row in pairs]
    legs: dict[tuple[str, str], int] = {}
    for row in routes:
        supplier, via, recipient = code[row["transfer__supplier_id"]], code[row["state_id"]], code[
            row["transfer__recipient_id"]]
        network.routes.append((supplier, via, recipient, row["n"]))
        for leg in ((supplier, via), (via, recipient)):
            legs[leg] = legs.get(leg, 0) + row["n"]
    network.edges += [Edge(a, b, n, kind="transit") for (a, b), n in legs.items()]
    return network


def _network_of(pairs: list[tuple[int, int, int]], routes: list[tuple[int, int, int, int]]) -> Network:
    """A Network from (supplier, recipient, n) pairs and (supplier, via, recipient, n) routes (State ids)."""
    ids = {pk for s, r, _ in pairs for pk in (s, r)} | {pk for s, v, r, _ in routes for pk in (s, v, r)}
    labels = _state_labels(ids)
    code = {pk: iso3 for pk, (iso3, _) in labels.items()}
    network = Network(nodes=dict(sorted(labels.values())))
    network.edges = [Edge(code[s], code[r], n) for s, r, n in pairs]
    legs: dict[tuple[str, str], int] = {}
    for s, v, r, n in routes:
        network.routes.append((code[s], code[v], code[r], n))
        for leg in ((code[s], code[v]), (code[v], code[r])):
            legs[leg] = legs.get(leg, 0) + n
    network.edges += [Edge(a, b, n, kind="transit") for (a, b), n in legs.items()]
    return network


def _tallied_network(*, state: int | None, limit: int) -> Network:
    """``transfer_network`` over every transfer (or those touching ``state``), from the tallies: the
    pairs, and the routes; a State's neighbourhood adds the pairs whose transfers pass through it,
    counting only those transfers."""
    pairs = PairTally.objects.order_by("-transfers", "supplier_id", "recipient_id")
    routes = RouteTally.objects.order_by("-transfers", "via_id", "supplier_id", "recipient_id")
    if state is not None:
        pairs = pairs.filter(Q(supplier_id=state) | Q(recipient_id=state))
        routes = routes.filter(Q(supplier_id=state) | Q(recipient_id=state) | Q(via_id=state))
    pair_rows = list(pairs.values_list("supplier_id", "recipient_id", "transfers")[:limit])
    route_rows = list(routes.values_list("supplier_id", "via_id", "recipient_id", "transfers")[:limit])
    if state is not None:
        through: dict[tuple[int, int], int] = {}
        for s, v, r, n in route_rows:
            if v == state:
                through[(s, r)] = through.get((s, r), 0) + n
        pair_rows += [(s, r, n) for (s, r), n in through.items()]
    return _network_of(pair_rows, route_rows)


@dataclass(frozen=True)
class Overview:
    """The figures the front page shows."""

    transfers: int
    contested: int
    suppliers: int
    recipients: int
    sources: int
    by_year_category: list[dict]  # {"year", "category", "count"}, oldest year first


def transfer_overview() -> Overview:
    """Totals over every transfer, and transfers by year and category: from the tallies, and the
    contested transfers from the read model's summary."""
    suppliers = PairTally.objects.aggregate(suppliers=Count("supplier_id", distinct=True),
                                            recipients=Count("recipient_id", distinct=True))
    by_year_category = [
        {"year": row.year, "category": row.category, "count": row.transfers}
        for row in YearCategoryTally.objects.filter(year__gt=0).order_by("year", "category")
    ]
    return Overview(
        transfers=_total(), contested=_summary_counts(_Summarized(), "contested").get("true", 0),
        suppliers=suppliers["suppliers"], recipients=suppliers["recipients"], sources=Source.objects.count(),
        by_year_category=by_year_category,
    )


@dataclass(frozen=True)
class StateRoles:
    """How many transfers a State takes part in, by role."""

    supplier: int
    recipient: int
    transit: int


def state_roles(state: State) -> StateRoles:
    """Counts of the State's transfers as supplier, recipient and transit, from the tallies."""
    def total(model, **lookup) -> int:
        return model.objects.filter(**lookup).aggregate(n=Sum("transfers"))["n"] or 0

    return StateRoles(supplier=total(PairTally, supplier=state), recipient=total(PairTally, recipient=state),
                      transit=total(RouteTally, via=state))


def state_totals(*, filters: Mapping[str, Any] | None = None) -> dict[str, dict[str, int]]:
    """Per State code: selected transfers supplied and received (two GROUP BYs; over the pair
    tallies when nothing is filtered, over the network tallies when they carry the filters): what
    the map shades. Like the pair tallies, the network tallies count transfers between two States."""
    totals: dict[int, dict[str, int]] = {}
    tallied = _network_tally_filter(filters, None) if filters else None
    for role in ("supplier", "recipient"):
        if tallied is not None:
            rows = NetworkTally.objects.filter(tallied).order_by().values_list(f"{role}_id").annotate(
                n=Sum("transfers"))
        elif filters:
            rows = _selection(filters).values_list(f"{role}_id").annotate(n=Count("id"))
        else:
            rows = PairTally.objects.order_by().values_list(f"{role}_id").annotate(n=Sum("transfers"))
        for pk, n in rows:
            totals.setdefault(pk, {"supplier": 0, "recipient": 0})[role] = n
    labels = _state_labels(totals)
    return {labels[pk][0]: counts for pk, counts in totals.items()}


# What a stats table may be broken down by, and the column each reads.
STATS_DIMENSIONS = ("supplier", "recipient", "category", "status", "year")
STATS_MEASURES = ("transfers", "quantity_ordered", "quantity_delivered")


@dataclass(frozen=True)
class StatsCell:
    """One cell of a trend table: the values of its dimensions, the transfers, and their known quantities."""

    keys: dict[str, str | int | None]
    transfers: int
    quantity_ordered: int | None  # the sum over the transfers whose ordered quantity is known; None if none is
    quantity_delivered: int | None


def transfer_stats(*, by: tuple[str, ...], filters: Mapping[str, Any] | None = None) -> list[StatsCell]:
    """Transfers and their quantities per cell of one or two of ``STATS_DIMENSIONS``, like SIPRI's trend
    tables: from the read model's summary, one query, for every transfer or a selection made by one
    facet that is a dimension of the table (or of a one-way table); else one GROUP BY over the selected
    transfers.

    Unknown parties and undated transfers have a cell of their own, keyed None, so that the cells add
    up to the selection. Cells come in the order of their keys (years oldest first, States by code)."""
    unknown = [name for name in by if name not in STATS_DIMENSIONS]
    if unknown or not 1 <= len(by) <= 2 or len(set(by)) != len(by):
        raise ValueError(f"by takes one or two of {', '.join(STATS_DIMENSIONS)}.")
    summarized = _summarized(filters)
    rows = _summary_rows(summarized, by) if summarized is not None else None
    if rows is None:
        rows = _scanned_rows(_selection(filters), by)
    cells = [
        StatsCell({name: _stats_key(name, row[f"k{i}"]) for i, name in enumerate(by)}, row["n"],
                  row["ordered"] if row["ordered_known"] else None,
                  row["delivered"] if row["delivered_known"] else None)
        for row in rows
    ]

    def order(cell: StatsCell):
        # Unknown keys last.
        return [(cell.keys[name] is None, cell.keys[name] or 0 if name == "year" else cell.keys[name] or "")
                for name in by]

    return sorted(cells, key=order)


def _stats_key(name: str, value: str) -> str | int | None:
    """A cell's key from a facet's value as text: a State's code, a year, a category or status; None
    for an unknown party or an undated transfer."""
    if name == "year":
        return int(value) if value else None
    if name in ("supplier", "recipient"):
        return value or None
    return value
