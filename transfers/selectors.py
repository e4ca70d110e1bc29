"""Reads that are more than a filter: the questions analysts ask of transfers."""

import datetime
import functools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from itertools import islice
from typing import Any

from django.db import connections
from django.db.models import (
    BooleanField,
    DateField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce

from .choices import CONTESTING_STANCES, M49_SUBREGIONS, TRANSIT_ROLES, TransferStatus
from .lookups import Ids
from .models import (
    Actor,
    Claim,
    Materiel,
    Place,
    SanctionDesignation,
    SanctionsRegime,
    Source,
    State,
    Transfer,
    TransferBreach,
    TransferEvent,
    TransferParty,
    TransferVia,
)
from .models.transfers import RECENT_KEY, date_display
from .rules import claims_contested


def _ever_designated_party() -> Q:
    """True when a transfer's supplier, recipient, named actors or other parties are named by some
    designation, whatever its dates: the cheap first test of ``sanctioned_party``.

    Uncorrelated sub-queries, so that PostgreSQL reads the designations once per query into hashed
    sets and probes them per row; an EXISTS per row scanned every designation for each transfer
    (43 us a row at 1M, most of a CSV export's database time). No NULL reaches an IN.
    """
    designations = SanctionDesignation.objects.order_by()
    states = designations.filter(state__isnull=False).values("state_id")
    actors = designations.filter(actor__isnull=False).values("actor_id")
    parties = TransferParty.objects.filter(transfer=OuterRef("pk")).filter(
        Q(state_id__in=states) | Q(actor_id__in=actors)
    )
    return (
        Q(supplier_id__isnull=False, supplier_id__in=states)
        | Q(recipient_id__isnull=False, recipient_id__in=states)
        | Q(supplier_actor_id__isnull=False, supplier_actor_id__in=actors)
        | Q(recipient_actor_id__isnull=False, recipient_actor_id__in=actors)
        | Exists(parties)
    )


def reference_date() -> Coalesce:
    """The date a transfer's sanctions are judged on: its earliest dated step, else first_reported."""
    earliest = TransferEvent.objects.filter(transfer=OuterRef(OuterRef("pk"))).order_by("date").values("date")[:1]
    return Coalesce(Subquery(earliest), OuterRef("first_reported"), output_field=DateField())


def sanctioned_party() -> Q:
    """True when a party to the transfer (supplier, recipient, their actors, any other party) is under
    a designation in force on the transfer's reference date (its earliest dated step, else
    first_reported; with neither, any designation counts).

    The dateless test runs first (hashed sets, see _ever_designated_party); only the few transfers
    it passes are probed for a designation in force.
    """
    parties = TransferParty.objects.filter(transfer=OuterRef(OuterRef("pk")))
    in_force = (
        SanctionDesignation.objects.order_by()
        .filter(
            Q(state_id=OuterRef("supplier_id")) | Q(state_id=OuterRef("recipient_id"))
            | Q(actor_id=OuterRef("supplier_actor_id")) | Q(actor_id=OuterRef("recipient_actor_id"))
            | Q(state_id__in=parties.filter(state__isnull=False).values("state_id"))
            | Q(actor_id__in=parties.filter(actor__isnull=False).values("actor_id"))
        )
        .alias(day=reference_date())
        .filter(
            Q(day__isnull=True)
            | ((Q(since__isnull=True) | Q(since__lte=F("day"))) & (Q(until__isnull=True) | Q(until__gte=F("day"))))
        )
    )
    return _ever_designated_party() & Q(Exists(in_force))


def sanctioned_flag() -> ExpressionWrapper:
    """``sanctioned_party()`` as a column: ``annotate(sanctioned=sanctioned_flag())``."""
    return ExpressionWrapper(sanctioned_party(), output_field=BooleanField())


def subregions_of(regions: Iterable[str]) -> list[str]:
    """The UN M49 sub-regions that make up the given regions (Asia: Eastern Asia, ...)."""
    regions = set(regions)
    return [subregion for subregion, region in M49_SUBREGIONS.items() if region in regions]


def quantity_conflict_exists() -> Exists:
    """True when the transfer's claims assert quantities whose ranges do not overlap: some claim's
    low bound exceeds another's high bound (what models.transfers.quantity_ranges_conflict says)."""
    figure = Q(quantity__isnull=False) | Q(quantity_low__isnull=False) | Q(quantity_high__isnull=False)
    lowest_high = (
        Claim.objects.filter(transfer=OuterRef("transfer")).filter(figure)
        .annotate(high=Coalesce("quantity_high", "quantity")).filter(high__isnull=False)
        .order_by("high").values("high")[:1]
    )
    return Exists(
        Claim.objects.filter(transfer=OuterRef("pk")).filter(figure)
        .alias(low=Coalesce("quantity_low", "quantity", Value(0))).filter(low__gt=Subquery(lowest_high))
    )


def contested_flag() -> Q:
    """True when a claim denies or disputes the transfer, or its claims' quantities disagree."""
    return Q(Exists(Claim.objects.filter(transfer=OuterRef("pk"), stance__in=CONTESTING_STANCES))) | Q(
        quantity_conflict_exists()
    )


def denial_exists() -> ExpressionWrapper:
    """``contested_flag()`` as a column (the name admin filters know)."""
    return ExpressionWrapper(contested_flag(), output_field=BooleanField())


def transfer_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Transfer]:
    """Transfers with what every list shows: their references joined, sanction and contest flags.

    ``filters`` are the API's validated filters (see ``transfer_filter``).
    """
    queryset = Transfer.objects.select_related(
        "supplier", "recipient", "supplier_actor", "recipient_actor", "materiel", "destination"
    ).annotate(sanctioned=sanctioned_flag(), contested=denial_exists())
    return transfer_filter(queryset, filters) if filters else queryset


def transfer_details(queryset: QuerySet[Transfer]) -> QuerySet[Transfer]:
    """Prefetch what a transfer's full record shows: route, regions, claims and the timeline.

    One query per relation whatever the page size; the source's full text is never loaded here.
    """
    return queryset.prefetch_related(
        Prefetch("route", queryset=TransferVia.objects.select_related("state", "place", "claim").order_by("seq")),
        Prefetch("parties", queryset=TransferParty.objects.select_related("actor", "state", "claim").order_by("id")),
        Prefetch("breaches", queryset=TransferBreach.objects.select_related("regime", "claim").order_by("id")),
        Prefetch(
            "claims",
            queryset=Claim.objects.select_related("source", "claimant")
            .only("id", "slug", "transfer_id", "quote", "stance", "quantity", "quantity_low", "quantity_high",
                  "credibility", "note", "source__slug", "claimant__slug")
            .order_by("id"),
        ),
        Prefetch(
            "events",
            queryset=TransferEvent.objects.select_related("claim")
            .only("id", "transfer_id", "status", "date", "date_to", "date_precision", "quantity", "note", "claim__slug")
            .order_by("date", "id"),
        ),
    )


def _words(value: str) -> list[str]:
    return [word for word in value.split() if word]


# A word matching at most this many transfers is looked up first and the page read by id; more
# often than that, the list order is walked until a page of matches is found. The lookup costs about
# the number of matches, the walk about 1M / matches rows; a frequent word pays for a wasted lookup
# of this many ids. Measured at 1M (bench/RESULTS.md): with 5000, the lookup for a word just over it
# took 19-26 ms (2.5 ms with 1000); 1000 leaves words of 1,000-5,000 matches walking (60-120 ms).
SEARCH_BY_ID_LIMIT = 1000


# The word in the search's SQL, compiled once per process (see _mention_branches): letters only,
# so that Django's LIKE escaping leaves it as it is and each parameter is exactly "%<marker>%".
_WORD = "QzWordQ"


@functools.cache
def _mention_branches(alias: str) -> tuple[tuple[str, str, tuple], ...]:
    """(transfer column, sub-query SQL, its parameters) for each place a word can appear, compiled
    once per process and database with _WORD for the word.

    Each sub-query is what Django compiles for ``icontains`` (on PostgreSQL, ``UPPER(col) LIKE
    UPPER(%s)``, which the trigram indexes of migration 0004 answer); a transfer mentions the word
    when its column is IN one of them. Building and compiling these five sub-queries took Django
    3-4 ms a search, more than PostgreSQL takes to plan them.
    """
    actors = Actor.objects.filter(name__icontains=_WORD).values("pk")
    branches = [
        ("id", Transfer.objects.filter(description__icontains=_WORD).values("pk")),
        ("materiel_id", Materiel.objects.filter(name__icontains=_WORD).values("pk")),
        ("supplier_actor_id", actors),
        ("recipient_actor_id", actors),
        ("id", Claim.objects.filter(quote__icontains=_WORD).values("transfer_id")),
    ]
    return tuple((column, *queryset.order_by().query.get_compiler(using=alias).as_sql())
                 for column, queryset in branches)


def _mention_params(connection, branch_params: tuple, word: str) -> list:
    pattern = connection.ops.prep_for_like_query(word)  # as icontains escapes %, _ and \
    return [p.replace(_WORD, pattern) if isinstance(p, str) else p for p in branch_params]


class _Mentions(Expression):
    """True where a transfer's description, its materiel's or actors' names, or one of its claims'
    quotes contains ``word``, case-insensitively: what five ``icontains`` filters OR-ed together
    say, rendered from SQL compiled once (see _mention_branches).

    Each branch is an id sub-query that its own trigram index answers; an OR across joins would
    leave no index usable. The transfer's table is named as the enclosing query calls it, so the
    expression stays correct inside a sub-query (pagination.page_rows)."""

    def __init__(self, word: str):
        super().__init__(output_field=BooleanField())
        self.word = word

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(next(iter(compiler.query.alias_map)))
        parts, params = [], []
        for column, sql, branch_params in _mention_branches(connection.alias):
            parts.append(f"{table}.{connection.ops.quote_name(column)} IN ({sql})")
            params += _mention_params(connection, branch_params, word=self.word)
        return "(" + " OR ".join(parts) + ")", params


def _search_ids(word: str, limit: int) -> list[int]:
    """Up to ``limit`` ids of the transfers mentioning ``word`` (duplicates possible): one query, a
    UNION ALL of the branches, each on its trigram index."""
    connection = connections["default"]
    quote = connection.ops.quote_name
    table = quote(Transfer._meta.db_table)
    parts, params = [], []
    for column, sql, branch_params in _mention_branches(connection.alias):
        # A branch on the transfer's id (its description, its claims' quotes) yields transfer ids.
        parts.append(sql if column == "id" else
                     f"SELECT {table}.{quote('id')} FROM {table} WHERE {table}.{quote(column)} IN ({sql})")  # noqa: S608
        params += _mention_params(connection, branch_params, word)
    with connection.cursor() as cursor:
        # Compiled SQL with its values as parameters.
        cursor.execute(" UNION ALL ".join(parts) + " LIMIT %s", [*params, limit])
        return [pk for (pk,) in cursor.fetchall()]


def transfer_search(queryset: QuerySet[Transfer], text: str) -> QuerySet[Transfer]:
    """Transfers whose description, materiel, actors or claim quotes contain every word of ``text``.

    The first word's matches are fetched first, up to SEARCH_BY_ID_LIMIT (one query): if that is all
    of them, the list is those ids, which costs what a rare word deserves. Otherwise, and for the
    other words, each word is a filter of id sub-queries that PostgreSQL evaluates as hashed sets
    while walking the list order; a frequent word fills a page after a short walk, where a rare one
    would walk the whole table (seconds at a million rows).
    """
    words = _words(text)
    if not words:
        return queryset
    first = _search_ids(words[0], SEARCH_BY_ID_LIMIT + 1)
    if len(first) <= SEARCH_BY_ID_LIMIT:
        queryset = queryset.filter(pk__any=Ids(sorted(set(first))))
        words = words[1:]
    for word in words:
        queryset = queryset.filter(_Mentions(word))
    return queryset


# ?role= values beside the party roles: the transfer's own supplier and recipient actors, claimants.
OWN_ROLES = ("supplier", "recipient", "claimant")


def _actor_in_role(actors: list[int] | None, role: list[str] | None) -> Q:
    """Transfers where one of ``actors`` (any actor when None) plays one of ``role`` (any role when None):
    supplier or recipient actor, claimant, or a party (broker, shipper...)."""
    roles = set(role or [*OWN_ROLES, "party"])
    actor = {"actor_id__in": actors} if actors else {}
    q = Q(pk__in=[])
    if "supplier" in roles:
        q |= Q(supplier_actor_id__in=actors) if actors else Q(supplier_actor__isnull=False)
    if "recipient" in roles:
        q |= Q(recipient_actor_id__in=actors) if actors else Q(recipient_actor__isnull=False)
    if "claimant" in roles:
        claimant = {"claimant_id__in": actors} if actors else {"claimant__isnull": False}
        q |= Exists(Claim.objects.filter(transfer=OuterRef("pk"), **claimant))
    party_roles = None if "party" in roles else roles - set(OWN_ROLES)
    if party_roles is None or party_roles:
        parties = TransferParty.objects.filter(transfer=OuterRef("pk"), **actor)
        if party_roles:
            parties = parties.filter(role__in=party_roles)
        q |= Exists(parties)
    return q


def materiel_with_narrower(pks: list[int]) -> list[int]:
    """The materiel ``pks`` and every materiel that is (transitively) a kind of one of them."""
    found, frontier = set(pks), set(pks)
    while frontier:
        frontier = set(Materiel.objects.filter(kind_of_id__in=frontier).values_list("pk", flat=True)) - found
        found |= frontier
    return sorted(found)


def transfer_filter(queryset: QuerySet[Transfer], filters: Mapping[str, Any]) -> QuerySet[Transfer]:
    """Apply the API's transfer filters (already validated: States and actors as primary keys).

    Keys: supplier, recipient, party, via (State pks); region (UN M49 region names); actor,
    materiel (with what is a kind of it), source, destination, place, breaches (pks); role, category,
    status, stance (vocabulary values); sanctioned, covert, contested, reviewed (bool);
    reported_after, reported_before, delivered_after, delivered_before (dates); quantity_min,
    quantity_max (numbers); q (text). Missing or empty values do not filter. Relations over claims
    and the route use EXISTS so that a transfer never appears twice.
    """
    f = {key: value for key, value in filters.items() if value not in (None, "", [], ())}
    if "supplier" in f:
        queryset = queryset.filter(supplier_id__in=f["supplier"])
    if "recipient" in f:
        queryset = queryset.filter(recipient_id__in=f["recipient"])
    if "party" in f:
        queryset = queryset.filter(Q(supplier_id__in=f["party"]) | Q(recipient_id__in=f["party"]))
    if "via" in f:
        queryset = queryset.filter(Exists(TransferVia.objects.filter(
            transfer=OuterRef("pk"), state_id__in=f["via"], role__in=TRANSIT_ROLES
        )))
    if "region" in f:
        # The region's States by primary key (one small query): the pair and recipient indexes then
        # answer the list as they do ?party=.
        in_region = State.objects.filter(subregion__in=subregions_of(f["region"]))
        region_states = list(in_region.values_list("pk", flat=True))
        queryset = queryset.filter(Q(supplier_id__in=region_states) | Q(recipient_id__in=region_states))
    if "destination" in f:
        queryset = queryset.filter(destination_id__in=f["destination"])
    if "place" in f:
        # The destination, or any leg of the route (origin, transit, transshipment, destination).
        queryset = queryset.filter(
            Q(destination_id__in=f["place"])
            | Exists(TransferVia.objects.filter(transfer=OuterRef("pk"), place_id__in=f["place"]))
        )
    if "actor" in f or "role" in f:
        queryset = queryset.filter(_actor_in_role(f.get("actor"), f.get("role")))
    if "materiel" in f:
        queryset = queryset.filter(materiel_id__in=materiel_with_narrower(f["materiel"]))
    if "breaches" in f:
        queryset = queryset.filter(Exists(TransferBreach.objects.filter(transfer=OuterRef("pk"),
                                                                        regime_id__in=f["breaches"])))
    # A transfer's figure: its ordered quantity, else the range a source gives, else the delivered.
    if "quantity_min" in f:
        queryset = queryset.alias(
            _upper=Coalesce("quantity", "quantity_high", "quantity_delivered")
        ).filter(_upper__gte=f["quantity_min"])
    if "quantity_max" in f:
        queryset = queryset.alias(
            _lower=Coalesce("quantity", "quantity_low", "quantity_delivered")
        ).filter(_lower__lte=f["quantity_max"])
    if "delivered_after" in f or "delivered_before" in f:
        deliveries = TransferEvent.objects.filter(transfer=OuterRef("pk"), status=TransferStatus.DELIVERED)
        if "delivered_after" in f:
            deliveries = deliveries.filter(Q(date__gte=f["delivered_after"]) | Q(date_to__gte=f["delivered_after"]))
        if "delivered_before" in f:
            deliveries = deliveries.filter(date__lte=f["delivered_before"])
        queryset = queryset.filter(Exists(deliveries))
    if "category" in f:
        # The transfer's own copy of its materiel's category, indexed with the list order.
        queryset = queryset.filter(category__in=f["category"])
    if "status" in f:
        queryset = queryset.filter(status__in=f["status"])
    if "source" in f or "stance" in f:
        claims = Claim.objects.filter(transfer=OuterRef("pk"))
        if "source" in f:
            claims = claims.filter(source_id__in=f["source"])
        if "stance" in f:
            claims = claims.filter(stance__in=f["stance"])
        queryset = queryset.filter(Exists(claims))
    if "sanctioned" in f:
        queryset = queryset.filter(sanctioned=f["sanctioned"])
    if "covert" in f:
        queryset = queryset.filter(covert=f["covert"])
    if "contested" in f:
        queryset = queryset.filter(contested_flag() if f["contested"] else ~contested_flag())
    if "reviewed" in f:
        queryset = queryset.filter(reviewed_at__isnull=not f["reviewed"])
    # The bounds go on the list's sort key, COALESCE(first_reported, date.min), so that the index on
    # that key seeks to the range (and the planner is not misled by the same bound written twice).
    # A dated row's key is its date; an undated one's is date.min, which the bounds exclude.
    if "reported_after" in f or "reported_before" in f:
        queryset = queryset.alias(_reported_key=RECENT_KEY)
    if "reported_after" in f:
        after = f["reported_after"]
        queryset = queryset.filter(
            _reported_key__gte=after, **({"first_reported__isnull": False} if after == datetime.date.min else {})
        )
    if "reported_before" in f:
        queryset = queryset.filter(_reported_key__lte=f["reported_before"], first_reported__isnull=False)
    if "q" in f:
        queryset = transfer_search(queryset, f["q"])
    return queryset


# --- the read hot path: lists and details as plain rows -----------------------------------------
#
# The list and detail views serialize from ``.values()`` rows rather than model instances and DRF
# serializers: at 1M transfers a page of 500 through TransferSerializer costs more in Python than in
# SQL. The shape is exactly TransferSerializer's (the API contract; tests/test_api_transfers.py pins
# it); TransferSerializer still documents it in the schema and answers the write endpoints.

# The page query's columns: the output's own, plus every field the list may be ordered by (the
# pagination cursor reads them from the row). Output name -> the row's key.
TRANSFER_ROW = {
    "id": "id", "slug": "slug", "supplier": "supplier_code", "supplier_name": "supplier_name",
    "recipient": "recipient_code", "recipient_name": "recipient_name",
    "supplier_actor": "supplier_actor_slug", "supplier_actor_name": "supplier_actor_name",
    "recipient_actor": "recipient_actor_slug", "recipient_actor_name": "recipient_actor_name",
    "materiel": "materiel_slug", "materiel_name": "materiel_name", "category": "category", "quantity": "quantity",
    "quantity_delivered": "quantity_delivered", "quantity_low": "quantity_low", "quantity_high": "quantity_high",
    "quantity_estimated": "quantity_estimated", "quantity_note": "quantity_note", "status": "status",
    "destination": "destination_slug", "destination_name": "destination_name", "covert": "covert",
    "first_reported": "first_reported", "description": "description", "value_amount": "value_amount",
    "value_currency": "value_currency", "value_year": "value_year", "value_claim": "value_claim_slug",
    "sanctioned": "sanctioned", "reviewed_at": "reviewed_at", "created_at": "created_at", "updated_at": "updated_at",
    "version": "version",
}

# The row keys read from a referenced record: key -> (reference, the referenced model, its column).
# (category is the transfer's own copy of its materiel's, the one ?category= filters on.)
_REFERENCED = {
    "supplier_code": ("supplier", State, "iso3"),
    "supplier_name": ("supplier", State, "name"),
    "recipient_code": ("recipient", State, "iso3"),
    "recipient_name": ("recipient", State, "name"),
    "supplier_actor_slug": ("supplier_actor", Actor, "slug"),
    "supplier_actor_name": ("supplier_actor", Actor, "name"),
    "recipient_actor_slug": ("recipient_actor", Actor, "slug"),
    "recipient_actor_name": ("recipient_actor", Actor, "name"),
    "materiel_slug": ("materiel", Materiel, "slug"),
    "materiel_name": ("materiel", Materiel, "name"),
    "destination_slug": ("destination", Place, "slug"),
    "destination_name": ("destination", Place, "name"),
    "value_claim_slug": ("value_claim", Claim, "slug"),
}


# The output's fields, in TransferSerializer's order.
TRANSFER_FIELDS = [
    "id", "slug", "supplier", "supplier_name", "recipient", "recipient_name", "supplier_actor", "supplier_actor_name",
    "recipient_actor", "recipient_actor_name", "materiel", "materiel_name", "category",
    "quantity", "quantity_ordered", "quantity_delivered", "quantity_low", "quantity_high", "quantity_estimated",
    "quantity_note", "deliveries", "status", "route", "via", "via_regions", "destination", "destination_name",
    "parties", "value", "breaches", "covert", "first_reported", "description", "sanctioned", "contested", "reviewed",
    "claims", "events",
]


def transfer_rows(*, filters: Mapping[str, Any] | None = None, joined: bool = False) -> QuerySet:
    """Transfers as ``.values()`` rows for ``transfer_records``: one query, no prefetches.

    A page (the default) looks each reference's code up per row, in a sub-query on its primary key:
    PostgreSQL plans a join of the six referenced tables in 10-15 ms at a million rows, longer than
    it takes to run the page, and the look-ups cost a page of 50 rows about 0.3 ms. ``joined`` joins
    them instead, for reading every row (the CSV export), where hashing the small tables once is
    cheaper than a look-up per row. The rows are the same either way.

    ``contested`` is not computed here: the claims ``transfer_records`` loads anyway tell it.
    """
    queryset = _rows(joined).all()
    return transfer_filter(queryset, filters) if filters else queryset


class _LookedUp(Func):
    """``(SELECT r.column FROM model's table r WHERE r.id = reference)``: a referenced record's column.

    What ``Subquery(model.objects.filter(pk=OuterRef(...)).values(column))`` says, but Django
    compiles a Subquery as a whole query of its own, and seven of them took it 4-5 ms a request."""

    template = "(SELECT r.%(column)s FROM %(table)s r WHERE r.%(pk)s = %(expressions)s)"

    def __init__(self, reference: str, model, column: str):
        super().__init__(F(f"{reference}_id"), output_field=model._meta.get_field(column))
        self.model, self.column = model, column

    def as_sql(self, compiler, connection, **extra_context):
        quote = connection.ops.quote_name
        meta = self.model._meta
        return super().as_sql(
            compiler, connection, table=quote(meta.db_table), column=quote(meta.get_field(self.column).column),
            pk=quote(meta.pk.column), **extra_context,
        )


@functools.cache
def _rows(joined: bool) -> QuerySet:
    """transfer_rows' unfiltered queryset, built once per process (building its sub-queries took
    Django 5-8 ms a request); callers get a copy (``.all()``), so this one is never evaluated."""
    if joined:
        references = {key: F(f"{field}__{column}") for key, (field, _, column) in _REFERENCED.items()}
    else:
        references = {key: _LookedUp(field, model, column) for key, (field, model, column) in _REFERENCED.items()}
    plain = [key for key in TRANSFER_ROW.values() if key not in references]
    return Transfer.objects.annotate(sanctioned=sanctioned_flag()).values(*plain, **references)


# transfer_records reads a page's route, parties, breaches, claims and events in one query: a UNION
# ALL of SELECTs with one shape, (kind, transfer, id, c0..c9), every value as text.
_LEG, _PARTY, _BREACH, _CLAIM, _EVENT = range(5)
_COLUMNS = [f"c{n}" for n in range(10)]


def _related(ids: list[int], *, quotes: bool = True) -> QuerySet:
    """The (kind, t, i, c0..c9) rows of the transfers ``ids``: route legs, parties, breaches, claims
    and events. Without ``quotes`` (the CSV export), claims' quotes and notes and steps' notes are
    left out."""

    def text(path):
        return Cast(path, TextField())

    none = Value(None, output_field=TextField())

    def shaped(queryset, kind, *values):
        padded = [*values, *[none] * (len(_COLUMNS) - len(values))]
        return queryset.filter(transfer_id__any=Ids(ids)).order_by().values(
            kind=Value(kind), t=F("transfer_id"), i=F("id"), **dict(zip(_COLUMNS, padded, strict=True))
        )

    claim_slug = text(_LookedUp("claim", Claim, "slug"))
    rest = [
        shaped(TransferParty.objects, _PARTY, text("role"), text(_LookedUp("actor", Actor, "slug")),
               text(_LookedUp("state", State, "iso3")), claim_slug),
        shaped(TransferBreach.objects, _BREACH, text(_LookedUp("regime", SanctionsRegime, "slug")), claim_slug),
        shaped(Claim.objects, _CLAIM, text("slug"), text(_LookedUp("source", Source, "slug")),
               text("quote") if quotes else none, text("stance"), text(_LookedUp("claimant", Actor, "slug")),
               text("credibility"), text("note") if quotes else none, text("quantity"), text("quantity_low"),
               text("quantity_high")),
        shaped(TransferEvent.objects, _EVENT, text("status"), text("date"), text("date_precision"), claim_slug,
               text("note") if quotes else none, text("date_to"), text("quantity")),
    ]
    return shaped(
        TransferVia.objects, _LEG, text("seq"), text(_LookedUp("state", State, "iso3")),
        text(_LookedUp("place", Place, "slug")), text("role"), text("mode"), claim_slug,
    ).union(*rest, all=True)


def _number(value: str | None) -> int | None:
    return None if value is None else int(value)


class _Related:
    """A page's related rows, grouped per transfer in the API's shapes."""

    def __init__(self, ids: list[int], rows: Iterable[dict]):
        self.legs: dict[int, list] = {pk: [] for pk in ids}
        self.parties: dict[int, list] = {pk: [] for pk in ids}
        self.breaches: dict[int, list] = {pk: [] for pk in ids}
        self.claims: dict[int, list] = {pk: [] for pk in ids}
        self.events: dict[int, list] = {pk: [] for pk in ids}

        def order(r):
            kind = r["kind"]
            return kind, int(r["c0"]) if kind == _LEG else 0, r["c1"] if kind == _EVENT else "", r["i"]

        for r in sorted(rows, key=order):
            kind, pk = r["kind"], r["t"]
            c = [r[name] for name in _COLUMNS]
            if kind == _LEG:
                self.legs[pk].append({"seq": int(c[0]), "state": c[1], "place": c[2], "role": c[3], "mode": c[4],
                                      "claim": c[5]})
            elif kind == _PARTY:
                self.parties[pk].append({"role": c[0], "actor": c[1], "state": c[2], "claim": c[3]})
            elif kind == _BREACH:
                self.breaches[pk].append({"regime": c[0], "claim": c[1]})
            elif kind == _CLAIM:
                self.claims[pk].append({
                    "slug": c[0], "source": c[1], "quote": c[2], "stance": c[3], "claimant": c[4],
                    "credibility": int(c[5]), "note": c[6], "quantity": _number(c[7]),
                    "quantity_low": _number(c[8]), "quantity_high": _number(c[9]),
                })
            else:
                day = datetime.date.fromisoformat(c[1])
                day_to = datetime.date.fromisoformat(c[5]) if c[5] else None
                self.events[pk].append({
                    "status": c[0], "date": c[1], "date_to": c[5], "date_precision": c[2],
                    "date_display": date_display(day, c[2], day_to), "quantity": _number(c[6]),
                    "claim": c[3], "note": c[4],
                })

    def fields(self, pk: int) -> dict:
        legs, events = self.legs[pk], self.events[pk]
        return {
            "route": legs,
            "via": [leg["state"] for leg in legs if leg["role"] in TRANSIT_ROLES and leg["state"]],
            "via_regions": [leg["place"] for leg in legs if leg["role"] in TRANSIT_ROLES and leg["place"]],
            "parties": self.parties[pk], "breaches": self.breaches[pk], "claims": self.claims[pk],
            "events": events, "deliveries": deliveries(events), "contested": claims_contested(self.claims[pk]),
        }


def deliveries(events: list[dict]) -> list[dict]:
    """Items delivered per year, from the timeline's dated delivery steps that carry a quantity."""
    years: dict[int, int] = {}
    for event in events:
        if event["status"] == TransferStatus.DELIVERED and event["quantity"] is not None:
            year = int(event["date"][:4])
            years[year] = years.get(year, 0) + event["quantity"]
    return [{"year": year, "quantity": quantity} for year, quantity in sorted(years.items())]


def _record(row: dict, related: _Related) -> dict:
    pk, record = row["id"], {name: row[path] for name, path in TRANSFER_ROW.items()}
    first_reported = record["first_reported"]
    value = None
    if record["value_amount"] is not None:
        value = {"amount": record["value_amount"], "currency": record["value_currency"],
                 "year": record["value_year"], "claim": record["value_claim"]}
    record.update(
        first_reported=first_reported.isoformat() if first_reported else None,
        quantity_ordered=record["quantity"], value=value, reviewed=record["reviewed_at"] is not None,
        **related.fields(pk),
    )
    return record


# An id no row has: where the compiled _related query takes its list of ids.
_MARK = -7_301_990


@functools.cache
def _related_sql(alias: str) -> tuple[str, list]:
    """_related compiled once per process and database: compiling that union takes Django longer
    (about 2 ms) than PostgreSQL takes to run it for a page; only the list of ids changes."""
    return _related([_MARK]).query.get_compiler(using=alias).as_sql()


def _related_rows(ids: list[int]) -> list[dict]:
    connection = connections["default"]
    sql, params = _related_sql(connection.alias)
    marks = ([_MARK], json.dumps([_MARK]))  # the ids parameter: an array (PostgreSQL) or JSON (SQLite)
    bound = [(ids if p == marks[0] else json.dumps(ids)) if p in marks else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, bound)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@functools.cache
def _row_sql(alias: str) -> tuple[str, list, list[str], list]:
    """transfer_rows() for one id, compiled once per process and database (compiling it took Django
    longer than the database takes to answer it): SQL, params, column names, value converters."""
    query = _rows(joined=False).filter(pk=_MARK).query
    compiler = query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    # As Django's ValuesIterable names a row's values.
    names = list(query.selected) if query.selected else [
        *query.extra_select, *query.values_select, *query.annotation_select
    ]
    converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
    return sql, list(params), names, list(converters.items())


def transfer_row(pk: int) -> dict | None:
    """The ``transfer_rows`` row of transfer ``pk``, or None: what a detail view reads."""
    connection = connections["default"]
    sql, params, names, converters = _row_sql(connection.alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk if p == _MARK else p for p in params])
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    for position, (functions, expression) in converters:  # e.g. SQLite's dates and booleans
        for function in functions:
            row[position] = function(row[position], expression, connection)
    return dict(zip(names, row, strict=True))


def transfer_records(rows: list[dict]) -> list[dict]:
    """Rows from ``transfer_rows`` as the API shows them, with their route, parties, claims and events.

    One query whatever the number of rows (see _related): legs by seq, claims and parties in the
    order they were entered, events by date.
    """
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    related = _Related(ids, _related_rows(ids))
    return [{name: record[name] for name in TRANSFER_FIELDS} for record in (_record(row, related) for row in rows)]


# The CSV export's columns: a transfer's fields, with its claims as a count and their sources, and its
# timeline as "status date" steps; nested values flattened (renderers.csv_cell joins lists with ";").
TRANSFER_CSV_COLUMNS = [*TRANSFER_FIELDS[: TRANSFER_FIELDS.index("claims")], "claims", "sources", "events"]


def _leg_text(leg: dict) -> str:
    """``2:transit:SYR+tartus:sea`` (seq, role, State and/or place, mode): the import's route syntax."""
    where = "+".join(part for part in (leg["state"], leg["place"]) if part)
    return f"{leg['seq']}:{leg['role']}:{where}:{leg['mode']}"


def _csv_flat(record: dict) -> dict:
    value = record["value"]
    return {
        "deliveries": [f"{d['year']}:{d['quantity']}" for d in record["deliveries"]],
        "route": [_leg_text(leg) for leg in record["route"]],
        "parties": [f"{p['role']}:{p['actor'] or p['state']}" for p in record["parties"]],
        "value": f"{value['amount']} {value['currency']} {value['year'] or ''}".strip() if value else None,
        "breaches": [b["regime"] for b in record["breaches"]],
    }


def transfer_csv_chunks(rows: Iterable[dict], chunk_size: int) -> Iterator[Callable[[], list[list]]]:
    """Rows from ``transfer_rows``, in their order, ``chunk_size`` at a time: for each chunk, a
    function that returns its rows as lists of TRANSFER_CSV_COLUMNS values.

    One query per chunk runs here (route, parties, breaches, claims and events, without quotes); the
    functions use no database, so another thread may run them while this one fetches the next chunk.
    Memory stays flat however many rows stream through.
    """
    for chunk in batched(rows, chunk_size):
        ids = [row["id"] for row in chunk]
        related = list(_related(ids, quotes=False))
        yield partial(_csv_values, chunk, related)


def _csv_values(chunk: list[dict], related_rows: list[dict]) -> list[list]:
    related = _Related([row["id"] for row in chunk], related_rows)
    row_fields = TRANSFER_CSV_COLUMNS[: TRANSFER_CSV_COLUMNS.index("claims")]
    values = []
    for row in chunk:
        record = _record(row, related)
        record.update(_csv_flat(record))
        claims = record["claims"]
        steps = [f"{e['status']} {e['date_display']}" for e in record["events"]]
        values.append([*(record[name] for name in row_fields), len(claims),
                       sorted({c["source"] for c in claims}), steps])
    return values


def batched(iterable: Iterable, size: int) -> Iterator[list]:
    """Lists of up to ``size`` items (itertools.batched arrives in Python 3.12)."""
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk
