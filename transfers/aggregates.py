"""Counts over transfers: the facets beside a list, the overview's figures, the network's edges.

Unfiltered, every count reads the tallies (``models/tallies.py``: a few thousand rows kept by the
write path), never the transfers themselves; contested transfers are counted from the denying
claims' small index. A filtered selection is counted over the transfers it selects (GROUP BY in
the database), so that a facet counts exactly what the list shows: the cost grows with the
selection, not with the table. ``filters`` are the API's validated transfer filters
(``transfers.api.filters.TransferFilter``), applied by ``selectors.transfer_filter``.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from .choices import CONTESTING_STANCES, TRANSIT_ROLES, MaterielCategory, Stance, TransferStatus
from .models import (
    Claim,
    NetworkRouteTally,
    NetworkTally,
    PairTally,
    RouteTally,
    SanctionDesignation,
    Source,
    State,
    StatusTally,
    Transfer,
    TransferVia,
    YearCategoryTally,
)
from .selectors import denial_exists, sanctioned_flag, transfer_filter

FACETS = ("supplier", "recipient", "category", "status", "year", "contested", "sanctioned")


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet: what a filter parameter takes, what a reader sees, how many transfers."""

    value: str
    label: str
    count: int


def _selection(filters: Mapping[str, Any] | None) -> QuerySet[Transfer]:
    # An alias, not an annotation: ?sanctioned= filters on it, and no GROUP BY below selects it.
    queryset = Transfer.objects.order_by().alias(sanctioned=sanctioned_flag())
    return transfer_filter(queryset, filters) if filters else queryset


def _state_labels(ids) -> dict[int, tuple[str, str]]:
    rows = State.objects.filter(pk__in=list(ids)).values_list("id", "iso3", "name")
    return {pk: (iso3, name) for pk, iso3, name in rows}


def transfer_facets(
    *, filters: Mapping[str, Any] | None = None, fields: tuple[str, ...] = FACETS, limit: int = 20,
    ids: list[int] | None = None,
) -> dict[str, list[FacetValue]]:
    """Counts per value of each facet in ``fields`` for the transfers ``filters`` select.

    One GROUP BY per facet (plus one look-up of the States' codes and names): supplier and
    recipient by primary key, year from first_reported (undated transfers are left out of the year
    facet), contested and sanctioned as true/false. The most frequent ``limit`` values of each
    facet, most frequent first (years newest first).

    ``ids``, instead of ``filters``: the selection given as the transfers' primary keys (a caller
    that has already listed a bounded selection; the GROUP BYs then read those rows only).
    """
    unknown = [name for name in fields if name not in FACETS]
    if unknown:
        raise ValueError(f"Unknown facet {unknown[0]!r}; expected one of {', '.join(FACETS)}.")
    if ids is not None:
        selection = _selection(None).filter(pk__in=ids)
    elif not filters:
        return _tallied_facets(fields, limit)
    else:
        selection = _selection(filters)
    facets: dict[str, list[FacetValue]] = {}
    for name in fields:
        if name in ("supplier", "recipient"):
            rows = list(selection.values(f"{name}_id").annotate(n=Count("id")).order_by("-n", f"{name}_id")[:limit])
            labels = _state_labels(row[f"{name}_id"] for row in rows)
            facets[name] = [
                FacetValue(labels[row[f"{name}_id"]][0], labels[row[f"{name}_id"]][1], row["n"]) for row in rows
            ]
        elif name in ("category", "status"):
            vocabulary = dict((MaterielCategory if name == "category" else TransferStatus).choices)
            rows = selection.values(name).annotate(n=Count("id")).order_by("-n", name)[:limit]
            facets[name] = [FacetValue(row[name], vocabulary.get(row[name], row[name]), row["n"]) for row in rows]
        elif name == "year":
            rows = (
                selection.filter(first_reported__isnull=False)
                .annotate(year=ExtractYear("first_reported")).values("year").annotate(n=Count("id"))
                .order_by("-year")[:limit]
            )
            facets[name] = [FacetValue(str(row["year"]), str(row["year"]), row["n"]) for row in rows]
        elif name in ("contested", "sanctioned"):
            flag = denial_exists() if name == "contested" else sanctioned_flag()
            rows = selection.annotate(flag=flag).values("flag").annotate(n=Count("id")).order_by("-flag")
            facets[name] = [
                FacetValue("true" if row["flag"] else "false", "yes" if row["flag"] else "no", row["n"]) for row in rows
            ]
    return facets


def _total() -> int:
    return StatusTally.objects.aggregate(n=Sum("transfers"))["n"] or 0


def _contested() -> int:
    """Transfers a claim denies or disputes: read from claim_contesting_idx alone (an index-only scan,
    where ``stance=denies`` made PostgreSQL fetch each claim's row to test its stance: 0.8 s at 1M).
    Transfers contested by disagreeing figures only are not in this count."""
    return Claim.objects.filter(stance__in=CONTESTING_STANCES).order_by().aggregate(
        n=Count("transfer_id", distinct=True))["n"]


def _sanctioned() -> int:
    """Transfers with a sanctioned party: those between sanctioned States, from the pair tallies, plus
    those where only a named actor is sanctioned (the actor columns' partial indexes find them)."""
    designations = SanctionDesignation.objects.order_by()
    states = list(designations.filter(state__isnull=False).values_list("state_id", flat=True).distinct())
    actors = list(designations.filter(actor__isnull=False).values_list("actor_id", flat=True).distinct())
    by_state = PairTally.objects.filter(Q(supplier_id__in=states) | Q(recipient_id__in=states)).aggregate(
        n=Sum("transfers"))["n"] or 0
    by_actor_only = Transfer.objects.filter(
        Q(supplier_actor_id__in=actors) | Q(recipient_actor_id__in=actors)
    ).exclude(Q(supplier_id__in=states) | Q(recipient_id__in=states)).count() if actors else 0
    return by_state + by_actor_only


def _flag_values(true: int, total: int) -> list[FacetValue]:
    values = [FacetValue("true", "yes", true), FacetValue("false", "no", total - true)]
    return sorted((v for v in values if v.count), key=lambda v: v.value != "true")


def _tallied_facets(fields: tuple[str, ...], limit: int) -> dict[str, list[FacetValue]]:
    """``transfer_facets`` for every transfer, from the tallies."""
    facets: dict[str, list[FacetValue]] = {}
    total = _total() if {"contested", "sanctioned"} & set(fields) else 0
    for name in fields:
        if name in ("supplier", "recipient"):
            rows = list(PairTally.objects.values(f"{name}_id").annotate(n=Sum("transfers"))
                        .order_by("-n", f"{name}_id")[:limit])
            labels = _state_labels(row[f"{name}_id"] for row in rows)
            facets[name] = [
                FacetValue(labels[row[f"{name}_id"]][0], labels[row[f"{name}_id"]][1], row["n"]) for row in rows
            ]
        elif name == "category":
            vocabulary = dict(MaterielCategory.choices)
            rows = YearCategoryTally.objects.values("category").annotate(n=Sum("transfers")).order_by("-n", "category")
            facets[name] = [FacetValue(r["category"], vocabulary.get(r["category"], r["category"]), r["n"])
                            for r in rows[:limit]]
        elif name == "status":
            vocabulary = dict(TransferStatus.choices)
            rows = StatusTally.objects.order_by("-transfers", "status")[:limit]
            facets[name] = [FacetValue(r.status, vocabulary.get(r.status, r.status), r.transfers) for r in rows]
        elif name == "year":
            rows = (YearCategoryTally.objects.filter(year__gt=0).values("year").annotate(n=Sum("transfers"))
                    .order_by("-year")[:limit])
            facets[name] = [FacetValue(str(r["year"]), str(r["year"]), r["n"]) for r in rows]
        elif name == "contested":
            facets[name] = _flag_values(_contested(), total)
        else:
            facets[name] = _flag_values(_sanctioned(), total)
    return facets


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
    after, before = f.get("reported_after"), f.get("reported_before")
    if after is not None:
        if (after.month, after.day) != (1, 1) or after.year < 1:
            return None
        condition &= Q(year__gte=after.year)
    if before is not None:
        if (before.month, before.day) != (12, 31):
            return None
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
    """Totals over every transfer, and transfers by year and category: from the tallies, but for the
    contested transfers, counted from the denying claims (a small partial index, claim_denial_idx)."""
    suppliers = PairTally.objects.aggregate(suppliers=Count("supplier_id", distinct=True),
                                            recipients=Count("recipient_id", distinct=True))
    by_year_category = [
        {"year": row.year, "category": row.category, "count": row.transfers}
        for row in YearCategoryTally.objects.filter(year__gt=0).order_by("year", "category")
    ]
    return Overview(
        transfers=_total(), contested=_contested(), suppliers=suppliers["suppliers"],
        recipients=suppliers["recipients"], sources=Source.objects.count(), by_year_category=by_year_category,
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
    tables: one GROUP BY over the selected transfers (every transfer when ``filters`` is empty: the
    tallies count transfers but do not sum quantities), then one look-up of the States' codes.

    Unknown parties and undated transfers have a cell of their own, keyed None, so that the cells add
    up to the selection. Cells come in the order of their keys (years oldest first, States by code)."""
    unknown = [name for name in by if name not in STATS_DIMENSIONS]
    if unknown or not 1 <= len(by) <= 2 or len(set(by)) != len(by):
        raise ValueError(f"by takes one or two of {', '.join(STATS_DIMENSIONS)}.")
    columns = {"supplier": "supplier_id", "recipient": "recipient_id", "category": "category", "status": "status",
               "year": "year"}
    selection = _selection(filters)
    if "year" in by:
        selection = selection.annotate(year=ExtractYear("first_reported"))
    rows = list(
        selection.values(*[columns[name] for name in by])
        .annotate(n=Count("id"), ordered=Sum("quantity"), delivered=Sum("quantity_delivered"))
        .order_by(*[columns[name] for name in by])
    )
    ids = {row[columns[name]] for row in rows for name in by if name in ("supplier", "recipient")}
    codes = {pk: iso3 for pk, (iso3, _) in _state_labels(ids - {None}).items()}
    cells = []
    for row in rows:
        keys = {}
        for name in by:
            value = row[columns[name]]
            keys[name] = codes.get(value) if name in ("supplier", "recipient") else value
        cells.append(StatsCell(keys, row["n"], row["ordered"], row["delivered"]))

    def order(cell: StatsCell):
        # NULL keys last, whatever order the database puts them in.
        return [(cell.keys[name] is None, cell.keys[name] or 0 if name == "year" else cell.keys[name] or "")
                for name in by]

    return sorted(cells, key=order)
