"""The explorer's pages: server-rendered, read-only, for anyone.

Each view reads through ``transfers.selectors`` (rows) and ``transfers.aggregates`` (counts) and
hands plain values to its template; the pictures are SVG drawn by ``explorer.pictures``. The
transfer filters are the API's own FilterSet (``transfers.api.filters.TransferFilter``), so a page's
query string works unchanged on /api/v1/transfers/ and the reverse.
"""

from django.db.models import Count, F, Prefetch
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe
from rest_framework.request import Request

from transfers import aggregates, selectors
from transfers.api.filters import TransferFilter
from transfers.api.pagination import keyset_ordered
from transfers.api.views import ClaimViewSet
from transfers.choices import Credibility, MaterielCategory, PartyRole, Stance, TransferStatus
from transfers.models import (
    Actor,
    Claim,
    Place,
    Source,
    State,
    Transfer,
    TransferBreach,
    TransferEvent,
    TransferParty,
    TransferVia,
)
from transfers.models.transfers import LIST_ORDER
from transfers.quotes import quote_span
from transfers.readmodel import documents

from . import exports, pictures

# The list's page: 25 rows (each row's sanctioned and contested flags are sub-queries; a page of
# 50 doubled their cost and the rendering for rows a reader scrolls past).
PAGE_SIZE = 25
# A State's or actor's neighbourhood: its heaviest edges of each kind (the picture of hundreds of
# edges took longer to draw than to count, and could not be read).
NEIGHBOURHOOD_EDGES = 60
# A filtered selection's facets are counted when it holds at most this many transfers (the
# unfiltered list's come from the tallies, whatever their size).
FACETED_AT_MOST = 1000
# Query parameters the pages read themselves; every other one goes to the API's FilterSet.
PAGE_PARAMETERS = ("page", "credibility", "show", "all")
# The network page lists the heaviest edges; ?all=1 lists every one drawn.
EDGES_LISTED = 50
# The overview draws the busiest pairs only; /network/ has them all.
OVERVIEW_PAIRS = 40
FACET_TITLES = {"supplier": "Supplier", "recipient": "Recipient", "category": "Category", "status": "Status",
                "year": "Year first reported", "contested": "Contested", "sanctioned": "Sanctioned party"}
# The filters the list's form shows; the others in a shared URL ride along as hidden fields.
FORM_FIELDS = ("q", "supplier", "recipient", "category", "status")


def _state_prefix() -> str:
    """The start of every State page's URL, to which a template appends the code and a slash: a
    {% url %} per State cost a network of hundreds of States a noticeable time."""
    return reverse("explorer:state", args=["XXX"]).removesuffix("XXX/")


def _api_url(name: str, *args, query: str = "") -> str | None:
    """The API's URL for ``name`` (None where this deployment has no such endpoint)."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


class Selection:
    """The transfer filters of a request, validated by the API's FilterSet."""

    def __init__(self, request):
        params = request.GET.copy()
        for name in PAGE_PARAMETERS:
            params.pop(name, None)
        self.params: QueryDict = params
        self.filterset = TransferFilter(data=params, queryset=Transfer.objects.none(), request=request)
        self.valid = self.filterset.is_valid()
        self.errors = self.filterset.errors if not self.valid else {}
        cleaned = dict(self.filterset.form.cleaned_data) if self.valid else {}
        cleaned.pop("ordering", None)
        self.filters = {key: value for key, value in cleaned.items() if value not in (None, "", [], ())}

    @property
    def query(self) -> str:
        return self.params.urlencode()

    def with_value(self, name: str, value: str | None) -> str:
        """This selection's query string with ``name`` set to ``value`` (None: removed)."""
        params = self.params.copy()
        params.pop(name, None)
        if value is not None:
            params[name] = value
        return params.urlencode()


def _claims_csv_url(selection: Selection) -> str:
    """The claims of every transfer the selection holds, as CSV (``transfer_claims_csv``)."""
    url = reverse("explorer:transfer-claims-csv")
    query = selection.with_value("ordering", None)  # the claims come in claim order
    return f"{url}?{query}" if query else url


def _credibility(request) -> int | None:
    value = request.GET.get("credibility", "")
    if value == "":
        return None
    if value not in {str(choice) for choice in Credibility.values}:
        raise Http404("credibility must be 1-6.")
    return int(value)


@require_safe
def overview(request):
    figures = aggregates.transfer_overview()
    network = aggregates.transfer_network(limit=OVERVIEW_PAIRS)
    recent = list(_newest(selectors.transfer_summaries())[:10])
    # Contested as the records flag it (a denial, a dispute, or figures that disagree): their partial index.
    contested = list(_newest(selectors.transfer_summaries().filter(record__contested=True))[:10])
    pairs = [
        {"source": edge.source, "target": edge.target, "count": edge.count,
         "source_name": network.nodes[edge.source], "target_name": network.nodes[edge.target]}
        for edge in sorted(network.edges, key=lambda e: (-e.count, e.source, e.target)) if edge.kind == "supply"
    ]
    return render(request, "explorer/overview.html", {
        "figures": figures,
        "network": pictures.network_picture(network, id="overview-network",
                                            title="Network of States: arrows from supplier to recipient"),
        "pairs": pairs[:20],
        "chart": pictures.year_category_chart(figures.by_year_category),
        "state_prefix": _state_prefix(),
        "recent": recent,
        "contested": contested,
    })


@require_safe
def transfer_list(request):
    selection = Selection(request)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    rows, facets, has_next, too_many = [], {}, False, False
    if selection.valid:
        # The API's order (newest first, undated last) unless ?ordering= asks for another.
        queryset = keyset_ordered(selection.filterset.filter_queryset(
            selectors.transfer_summaries().order_by(*LIST_ORDER)
        ))
        rows = list(queryset[(page - 1) * PAGE_SIZE: page * PAGE_SIZE + 1])
        has_next = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        if aggregates.facets_summarized(selection.filters):
            # Every transfer, or a selection made by one facet: from the read model's summary.
            facets = aggregates.transfer_facets(filters=selection.filters)
        else:
            # Any other selection's facets are counted over its rows, so they are counted for a
            # bounded selection only.
            ids = list(queryset.values_list("pk", flat=True)[:FACETED_AT_MOST + 1])
            if len(ids) > FACETED_AT_MOST:
                too_many = True
            else:
                facets = aggregates.transfer_facets(ids=ids)
    total = sum(value.count for value in facets.get("status", []))
    facet_links = {
        name: [
            {"value": v, "href": "?" + selection.with_value(name, None if selection.params.get(name) == v.value
                                                             else v.value),
             "active": selection.params.get(name) == v.value}
            for v in values
        ]
        for name, values in facets.items()
    }
    if "contested" not in TransferFilter.base_filters:
        # Until the API filters on ?contested=, "contested" is "some claim denies it" (?stance=denies).
        for link in facet_links.get("contested", []):
            active = link["value"].value == "true" and selection.params.get("stance") == Stance.DENIES
            link.update(active=active, href=(
                "?" + selection.with_value("stance", None if active else Stance.DENIES)
                if link["value"].value == "true" else None
            ))
    # The year facet filters on the reporting dates the API takes.
    for link in facet_links.get("year", []):
        year = link["value"].value
        params = selection.params.copy()
        active = params.get("reported_after") == f"{year}-01-01" and params.get("reported_before") == f"{year}-12-31"
        params.pop("reported_after", None)
        params.pop("reported_before", None)
        if not active:
            params["reported_after"], params["reported_before"] = f"{year}-01-01", f"{year}-12-31"
        link.update(href="?" + params.urlencode(), active=active)
    status = 200 if selection.valid else 400
    return render(request, "explorer/transfer_list.html", {
        "selection": selection,
        "rows": rows,
        "total": total,
        "too_many": too_many,
        "faceted_at_most": FACETED_AT_MOST,
        "facets": [(name, FACET_TITLES[name], links) for name, links in facet_links.items()],
        "hidden": [(name, value) for name, value in selection.params.items() if name not in FORM_FIELDS],
        "page": page,
        "previous": "?" + selection.with_value("page", str(page - 1)) if page > 1 else None,
        "next": "?" + selection.with_value("page", str(page + 1)) if has_next else None,
        "csv_url": _api_url("transfer-list", query=selection.with_value("format", "csv")),
        "claims_csv_url": _claims_csv_url(selection),
        "api_url": _api_url("transfer-list", query=selection.query),
        "categories": MaterielCategory.choices,
        "statuses": TransferStatus.choices,
    }, status=status)


@require_safe
def transfer_claims_csv(request):
    """Every claim about the transfers a /transfers/ query selects, as the claims API's CSV.

    ``/transfers/claims.csv?<the transfer filters>`` takes exactly the parameters of /transfers/ and
    /api/v1/transfers/ (page parameters aside), so that the list's "claims CSV" covers the whole
    selection, however many pages it spans, and a script can ask for it the same way. The rows,
    columns and streaming are ClaimViewSet's (/api/v1/claims/?format=csv), ordered by claim id; only
    the set of claims differs: those whose transfer the filters select.
    """
    unknown = [name for name in request.GET if name not in TransferFilter.base_filters or name == "ordering"]
    selection = Selection(request)
    errors = {name: ["Unknown query parameter; this takes the transfer filters of /api/v1/transfers/."]
              for name in unknown} or selection.errors
    if errors:
        return HttpResponse(
            "\n".join(f"{name}: {' '.join(str(e) for e in messages)}" for name, messages in errors.items()),
            status=400, content_type="text/plain; charset=utf-8",
        )
    transfers = selection.filterset.filter_queryset(Transfer.objects.order_by()).values("pk")
    claims = ClaimViewSet(request=Request(request), format_kwarg=None, action="list", basename="claim",
                          args=(), kwargs={})
    return claims.csv_response(claims.get_queryset().filter(transfer__in=transfers))


@require_safe
def transfer_detail(request, slug: str):
    transfer = get_object_or_404(
        selectors.transfer_summaries().select_related("supplier_actor", "recipient_actor", "destination",
                                                      "value_claim").prefetch_related(
            Prefetch("route", queryset=TransferVia.objects.select_related("state", "place", "claim").order_by(
                "seq", "id")),
            Prefetch("events", queryset=TransferEvent.objects.select_related("claim").order_by("date", "id")),
            Prefetch("parties", queryset=TransferParty.objects.select_related("actor", "state", "claim").order_by(
                "role", "number", "id")),
            Prefetch("breaches", queryset=TransferBreach.objects.select_related("regime", "claim").order_by("id")),
        ),
        slug=slug,
    )
    claims = list(
        Claim.objects.filter(transfer=transfer).select_related("source", "claimant")
        .defer("source__text", "source__note").order_by("id")
    )
    events = transfer.events.all()
    return render(request, "explorer/transfer_detail.html", {
        "transfer": transfer,
        "asserting": [claim for claim in claims if claim.stance == Stance.ASSERTS],
        "denying": [claim for claim in claims if claim.stance != Stance.ASSERTS],
        # The API's rule for deliveries per year (the read model's), over this page's timeline.
        "deliveries": documents.deliveries([
            {"status": event.status, "quantity": event.quantity, "date": event.date.isoformat()} for event in events
        ]),
        "route": pictures.route_picture(transfer),
        "api_url": _api_url("transfer-detail", transfer.pk),
    })


def _highlighted(source: Source, quoting: list) -> list[dict]:
    """The source's text cut into pieces, each with the quoting records that cover it."""
    spans = []
    for record in quoting:
        span = quote_span(record.quote, source.text)
        if span:
            spans.append((span, record))
    cuts = sorted({0, len(source.text)} | {edge for (start, end), _ in spans for edge in (start, end)})
    pieces = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        covering = [record for (s, e), record in spans if s <= start and end <= e]
        pieces.append({
            "text": source.text[start:end],
            "records": covering,
            "starts": [record for (s, _), record in spans if s == start],
            "ends": [record for (_, e), record in spans if e == end],
        })
    return pieces


@require_safe
def source_detail(request, slug: str):
    source = get_object_or_404(Source, slug=slug)
    claims = list(source.claims.select_related("transfer", "claimant").order_by("id"))
    for number, claim in enumerate(claims, start=1):
        claim.number = number
        claim.found = quote_span(claim.quote, source.text) is not None
    return render(request, "explorer/source_detail.html", {
        "source": source,
        "claims": claims,
        "pieces": _highlighted(source, claims),
        "designations": source.sanction_designations.select_related("regime", "state", "actor").order_by("id"),
        "api_url": _api_url("source-detail", source.slug),
    })


def _newest(queryset):
    """Newest first, undated last: the API's list order, which its indexes serve."""
    return keyset_ordered(queryset.order_by(*LIST_ORDER))


# A State's or actor's page lists its newest transfers in each role and links the rest (the list's
# sanctioned flag costs PostgreSQL a few milliseconds a row for a sanctioned State at 1M).
TRANSFERS_LISTED = 10


def _transfers_of(**lookup) -> list[Transfer]:
    return list(_newest(selectors.transfer_summaries().filter(**lookup))[:TRANSFERS_LISTED])


# How many deal roles (broker, shipper, manufacturer...) a State or actor page lists.
OTHER_ROLES_SHOWN = 50


def _other_roles(**lookup) -> dict:
    """The deal roles beside supplier and recipient (TransferParty) that a State or an actor holds:
    a count per role, and the newest of those transfers with the role held in each."""
    parties = TransferParty.objects.filter(**lookup)
    counts = {row["role"]: row["n"] for row in parties.order_by().values("role").annotate(n=Count("id"))}
    labels = dict(PartyRole.choices)
    rows = list(
        parties.select_related("transfer__supplier", "transfer__recipient", "transfer__materiel", "claim")
        .order_by(F("transfer__first_reported").desc(nulls_last=True), "-transfer_id", "role")[:OTHER_ROLES_SHOWN]
    )
    for row in rows:
        row.role_label = labels.get(row.role, row.role).split(" –")[0]
    return {
        "counts": [(labels.get(role, role).split(" –")[0], n)
                   for role, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))],
        "rows": rows,
        "more": sum(counts.values()) > len(rows),
    }


@require_safe
def state_detail(request, iso3: str):
    state = get_object_or_404(State, iso3=iso3.upper())
    network = aggregates.transfer_network(state=state.pk, limit=NEIGHBOURHOOD_EDGES)
    return render(request, "explorer/state_detail.html", {
        "state": state,
        "roles": aggregates.state_roles(state),
        "supplied": _transfers_of(supplier=state),
        "received": _transfers_of(recipient=state),
        "transit": _transfers_of(route__state=state),
        "other_roles": _other_roles(state=state),
        "sanctions": state.sanctions.select_related("regime", "source").order_by("id"),
        "actors": state.actors.order_by("name"),
        "places": state.places.order_by("name"),
        "network": pictures.network_picture(
            network, id="state-network", highlight=state.iso3,
            title=f"The States {state.name} supplies, receives from or is a transit for",
        ),
        "api_url": _api_url("state-detail", state.iso3),
    })


@require_safe
def actor_detail(request, slug: str):
    actor = get_object_or_404(Actor.objects.select_related("state", "part_of", "source"), slug=slug)
    network = aggregates.actor_network(actor=actor.pk, limit=NEIGHBOURHOOD_EDGES)
    return render(request, "explorer/actor_detail.html", {
        "actor": actor,
        "supplied": _transfers_of(supplier_actor=actor),
        "received": _transfers_of(recipient_actor=actor),
        "other_roles": _other_roles(actor=actor),
        "claims": actor.claims.select_related("transfer", "source").defer("source__text").order_by("id")[:50],
        "sanctions": actor.sanctions.select_related("regime", "source").order_by("id"),
        "members": actor.members.order_by("name"),
        "places": Place.objects.filter(controlled_by=actor).order_by("name"),
        "network": pictures.network_picture(
            network, id="actor-network",
            title=f"States linked by the transfers {actor.name} supplies, receives or speaks about",
        ),
        "api_url": _api_url("actor-detail", actor.slug),
    })


def _network_of(request) -> tuple[Selection, int | None, aggregates.Network | None]:
    selection = Selection(request)
    credibility = _credibility(request)
    network = aggregates.transfer_network(filters=selection.filters, credibility=credibility) if selection.valid \
        else None
    return selection, credibility, network


@require_safe
def network(request):
    selection, credibility, graph = _network_of(request)
    query = request.GET.urlencode()
    edges = sorted(graph.edges, key=lambda e: (-e.count, e.source, e.target)) if graph else []
    years = [(facet.value, f"{facet.value}-01-01", f"{facet.value}-12-31")
             for facet in aggregates.transfer_facets(fields=("year",), limit=100)["year"]]
    return render(request, "explorer/network.html", {
        "selection": selection,
        "graph": graph,
        "names": graph.nodes if graph else {},
        "picture": pictures.network_picture(
            graph, id="network", title="Network of States: arrows from supplier to recipient"
        ) if graph else None,
        "edges": edges if request.GET.get("all") else edges[:EDGES_LISTED],
        "edges_total": len(edges),
        "all_edges_url": "?" + (query + "&" if query else "") + "all=1",
        "credibility": credibility,
        "state_prefix": _state_prefix(),
        "credibilities": Credibility.choices,
        "categories": MaterielCategory.choices,
        "statuses": TransferStatus.choices,
        "years": years,
        "gexf_url": reverse("explorer:network-export", args=["gexf"]) + (f"?{query}" if query else ""),
        "graphml_url": reverse("explorer:network-export", args=["graphml"]) + (f"?{query}" if query else ""),
    }, status=200 if selection.valid else 400)


@require_safe
def network_export(request, format: str):
    selection, _, graph = _network_of(request)
    if graph is None:
        return HttpResponse(
            "; ".join(f"{name}: {' '.join(errors)}" for name, errors in selection.errors.items()),
            status=400, content_type="text/plain; charset=utf-8",
        )
    body, content_type = exports.network_file(graph, format)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="transfers-network.{format}"'
    return response


@require_safe
def world_map(request):
    selection, credibility, graph = _network_of(request)
    show = request.GET.get("show", "supplier")
    if show not in ("supplier", "recipient"):
        raise Http404("show must be supplier or recipient.")
    totals = aggregates.state_totals(filters=selection.filters) if selection.valid else {}
    ranked = sorted(totals.items(), key=lambda item: (-item[1][show], item[0]))[:30]
    names = dict(State.objects.filter(iso3__in=[code for code, _ in ranked]).values_list("iso3", "name"))
    return render(request, "explorer/map.html", {
        "selection": selection,
        "show": show,
        "state_prefix": _state_prefix(),
        "picture": pictures.map_picture(totals, graph, show=show) if graph else None,
        "totals": [(code, names.get(code, code), counts) for code, counts in ranked],
        "regions": Place.objects.filter(route_legs__isnull=False).distinct().order_by("name"),
    }, status=200 if selection.valid else 400)
