"""Reads that are more than a filter: the questions analysts ask of transfers."""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import (
    BooleanField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from .choices import CONTESTING_STANCES, M49_SUBREGIONS, TRANSIT_ROLES, TransferStatus
from .models import (
    Claim,
    Materiel,
    SanctionDesignation,
    State,
    Transfer,
    TransferBreach,
    TransferEvent,
    TransferParty,
    TransferVia,
)
from .models.transfers import RECENT_KEY
from .readmodel import search


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


def transfer_summaries(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Transfer]:
    """Transfers with what a table of them shows (the explorer's lists): supplier, recipient and
    materiel joined, the sanction and contest flags from the read model; other references load on
    access.
    """
    queryset = Transfer.objects.select_related("supplier", "recipient", "materiel").annotate(
        sanctioned=F("record__sanctioned"), contested=F("record__contested")
    )
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
    # The flags are the read model's (transfers.readmodel), indexed where true.
    if "sanctioned" in f:
        queryset = queryset.filter(record__sanctioned=f["sanctioned"])
    if "covert" in f:
        queryset = queryset.filter(covert=f["covert"])
    if "contested" in f:
        queryset = queryset.filter(record__contested=f["contested"])
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
        queryset = search.transfer_search(queryset, f["q"])
    return queryset
