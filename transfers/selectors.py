"""Reads that are more than a filter: the questions analysts ask of transfers."""

from collections.abc import Mapping
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from .choices import Stance
from .models import Claim, SanctionDesignation, Transfer, TransferEvent, TransferVia, TransferViaRegion


def sanctioned_party_exists() -> Exists:
    """True when a transfer's supplier, recipient or either named actor is under sanctions."""
    return Exists(
        SanctionDesignation.objects.filter(
            Q(state=OuterRef("supplier_id"))
            | Q(state=OuterRef("recipient_id"))
            | Q(actor=OuterRef("supplier_actor_id"))
            | Q(actor=OuterRef("recipient_actor_id"))
        )
    )


def denial_exists() -> Exists:
    """True when some claim on the transfer denies it: a contested transfer."""
    return Exists(Claim.objects.filter(transfer=OuterRef("pk"), stance=Stance.DENIES))


def transfer_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Transfer]:
    """Transfers with what every list shows: their references joined, sanction and contest flags.

    ``filters`` are the API's validated filters (see ``transfer_filter``).
    """
    queryset = Transfer.objects.select_related(
        "supplier", "recipient", "supplier_actor", "recipient_actor", "materiel", "destination"
    ).annotate(sanctioned=sanctioned_party_exists(), contested=denial_exists())
    return transfer_filter(queryset, filters) if filters else queryset


def transfer_details(queryset: QuerySet[Transfer]) -> QuerySet[Transfer]:
    """Prefetch what a transfer's full record shows: route, regions, claims and the timeline.

    One query per relation whatever the page size; the source's full text is never loaded here.
    """
    return queryset.prefetch_related(
        Prefetch("route", queryset=TransferVia.objects.select_related("state").only("transfer_id", "state__iso3")
                 .order_by("id")),
        Prefetch("route_regions", queryset=TransferViaRegion.objects.select_related("place")
                 .only("transfer_id", "place__slug").order_by("id")),
        Prefetch(
            "claims",
            queryset=Claim.objects.select_related("source", "claimant")
            .only("id", "slug", "transfer_id", "quote", "stance", "credibility", "note", "source__slug",
                  "claimant__slug")
            .order_by("id"),
        ),
        Prefetch(
            "events",
            queryset=TransferEvent.objects.select_related("claim")
            .only("id", "transfer_id", "status", "date", "date_precision", "note", "claim__slug")
            .order_by("date", "id"),
        ),
    )


def _words(value: str) -> list[str]:
    return [word for word in value.split() if word]


def transfer_search(queryset: QuerySet[Transfer], text: str) -> QuerySet[Transfer]:
    """Transfers whose description, materiel, actors or claim quotes contain every word of ``text``."""
    for word in _words(text):
        queryset = queryset.filter(
            Q(description__icontains=word)
            | Q(materiel__name__icontains=word)
            | Q(supplier_actor__name__icontains=word)
            | Q(recipient_actor__name__icontains=word)
            | Exists(Claim.objects.filter(transfer=OuterRef("pk"), quote__icontains=word))
        )
    return queryset


def transfer_filter(queryset: QuerySet[Transfer], filters: Mapping[str, Any]) -> QuerySet[Transfer]:
    """Apply the API's transfer filters (already validated: States and actors as primary keys).

    Keys: supplier, recipient, party, via (State pks); actor, materiel, source (pks); category,
    status, stance (vocabulary values); sanctioned (bool); reported_after, reported_before (dates);
    q (text). Missing or empty values do not filter. Relations over claims and the route use EXISTS
    so that a transfer never appears twice.
    """
    f = {key: value for key, value in filters.items() if value not in (None, "", [], ())}
    if "supplier" in f:
        queryset = queryset.filter(supplier_id__in=f["supplier"])
    if "recipient" in f:
        queryset = queryset.filter(recipient_id__in=f["recipient"])
    if "party" in f:
        queryset = queryset.filter(Q(supplier_id__in=f["party"]) | Q(recipient_id__in=f["party"]))
    if "via" in f:
        queryset = queryset.filter(Exists(TransferVia.objects.filter(transfer=OuterRef("pk"), state_id__in=f["via"])))
    if "actor" in f:
        queryset = queryset.filter(
            Q(supplier_actor_id__in=f["actor"])
            | Q(recipient_actor_id__in=f["actor"])
            | Exists(Claim.objects.filter(transfer=OuterRef("pk"), claimant_id__in=f["actor"]))
        )
    if "materiel" in f:
        queryset = queryset.filter(materiel_id__in=f["materiel"])
    if "category" in f:
        queryset = queryset.filter(materiel__category__in=f["category"])
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
    if "reported_after" in f:
        queryset = queryset.filter(first_reported__gte=f["reported_after"])
    if "reported_before" in f:
        queryset = queryset.filter(first_reported__lte=f["reported_before"])
    if "q" in f:
        queryset = transfer_search(queryset, f["q"])
    return queryset
