"""Counts over transfers: the facets beside a list, the overview's figures, the network's edges.

Every function here is an aggregate the database computes (GROUP BY on indexed columns); none
reads a page of rows into Python to count it. ``filters`` are the API's validated transfer filters
(``transfers.filters.TransferFilter``), applied by ``selectors.transfer_filter``, so that a facet
counts exactly the selection the list shows.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear

from .choices import MaterielCategory, Stance, TransferStatus
from .models import Claim, Source, State, Transfer, TransferVia
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
    *, filters: Mapping[str, Any] | None = None, fields: tuple[str, ...] = FACETS, limit: int = 20
) -> dict[str, list[FacetValue]]:
    """Counts per value of each facet in ``fields`` for the transfers ``filters`` select.

    One GROUP BY per facet (plus one look-up of the States' codes and names): supplier and
    recipient by primary key, year from first_reported (undated transfers are left out of the year
    facet), contested and sanctioned as true/false. The most frequent ``limit`` values of each
    facet, most frequent first (years newest first).
    """
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
        else:
            raise ValueError(f"Unknown facet {name!r}; expected one of {', '.join(FACETS)}.")
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


def transfer_network(
    *, filters: Mapping[str, Any] | None = None, credibility: int | None = None, state: int | None = None,
    limit: int = 300,
) -> Network:
    """The supplier -> recipient network of the selected transfers, with their transit States.

    Two GROUP BYs: (supplier, recipient) over the transfers, (supplier, transit State, recipient)
    over their routes; then the States' codes and names. ``state`` keeps the edges that touch that State
    (its neighbourhood); ``limit`` keeps the heaviest edges of each kind.
    """
    selection = _credible(_selection(filters), credibility)
    if state is not None:
        selection = selection.filter(
            Q(supplier_id=state) | Q(recipient_id=state)
            | Exists(TransferVia.objects.filter(transfer=OuterRef("pk"), state_id=state))
        )
    pairs = list(
        selection.values("supplier_id", "recipient_id").annotate(n=Count("id")).order_by("-n", "supplier_id")[:limit]
    )
    routes = list(
        TransferVia.objects.filter(transfer__in=selection.values("pk")).order_by()
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
    """Totals over every transfer, and transfers by year and category.

    Contested transfers are counted from the denying claims (a small partial index,
    claim_denial_idx), not by testing every transfer; suppliers and recipients are distinct
    counts on the States' own columns.
    """
    transfers = Transfer.objects.order_by()
    totals = transfers.aggregate(
        transfers=Count("id"), suppliers=Count("supplier_id", distinct=True),
        recipients=Count("recipient_id", distinct=True),
    )
    contested = Claim.objects.filter(stance=Stance.DENIES).order_by().aggregate(
        n=Count("transfer_id", distinct=True)
    )["n"]
    by_year_category = list(
        transfers.filter(first_reported__isnull=False).annotate(year=ExtractYear("first_reported"))
        .values("year", "category").annotate(count=Count("id")).order_by("year", "category")
    )
    return Overview(
        transfers=totals["transfers"], contested=contested, suppliers=totals["suppliers"],
        recipients=totals["recipients"], sources=Source.objects.count(), by_year_category=by_year_category,
    )


@dataclass(frozen=True)
class StateRoles:
    """How many transfers a State takes part in, by role."""

    supplier: int
    recipient: int
    transit: int


def state_roles(state: State) -> StateRoles:
    """Counts of the State's transfers as supplier, recipient and transit (three indexed counts)."""
    return StateRoles(
        supplier=Transfer.objects.filter(supplier=state).count(),
        recipient=Transfer.objects.filter(recipient=state).count(),
        transit=TransferVia.objects.filter(state=state).count(),
    )


def state_totals(*, filters: Mapping[str, Any] | None = None) -> dict[str, dict[str, int]]:
    """Per State code: selected transfers supplied and received (two GROUP BYs): what the map shades."""
    totals: dict[int, dict[str, int]] = {}
    selection = _selection(filters)
    for role in ("supplier", "recipient"):
        for pk, n in selection.values_list(f"{role}_id").annotate(n=Count("id")):
            totals.setdefault(pk, {"supplier": 0, "recipient": 0})[role] = n
    labels = _state_labels(totals)
    return {labels[pk][0]: counts for pk, counts in totals.items()}
