"""Creating and changing a transfer with its route, claims and timeline: all or nothing."""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.db import transaction

from transfers.models import (
    Actor,
    Claim,
    Materiel,
    Place,
    State,
    Transfer,
    TransferEvent,
    TransferVia,
    TransferViaRegion,
)

SCALAR_FIELDS = (
    "slug", "supplier", "recipient", "supplier_actor", "recipient_actor", "materiel", "quantity",
    "quantity_note", "status", "destination", "covert", "first_reported", "description",
)


def _set_route(transfer: Transfer, *, via: Iterable[State] | None, via_regions: Iterable[Place] | None) -> None:
    # Rows are recreated in the order given: their ids keep the route order.
    if via is not None:
        TransferVia.objects.filter(transfer=transfer).delete()
        for state in via:
            TransferVia.objects.create(transfer=transfer, state=state)
    if via_regions is not None:
        TransferViaRegion.objects.filter(transfer=transfer).delete()
        for place in via_regions:
            TransferViaRegion.objects.create(transfer=transfer, place=place)


def _route_changes(transfer: Transfer, *, via: Iterable[State] | None, via_regions: Iterable[Place] | None) -> bool:
    """Whether the given route differs from the stored one (in order)."""
    stored_via = transfer.route.order_by("id").values_list("state_id", flat=True)
    if via is not None and [state.pk for state in via] != list(stored_via):
        return True
    return via_regions is not None and [p.pk for p in via_regions] != list(
        transfer.route_regions.order_by("id").values_list("place_id", flat=True)
    )


@transaction.atomic
def transfer_create(
    *,
    supplier: State,
    recipient: State,
    materiel: Materiel,
    status: str,
    slug: str = "",
    supplier_actor: Actor | None = None,
    recipient_actor: Actor | None = None,
    quantity: int | None = None,
    quantity_note: str = "",
    destination: Place | None = None,
    covert: bool = False,
    first_reported: date | None = None,
    description: str = "",
    via: Sequence[State] = (),
    via_regions: Sequence[Place] = (),
    claims: Sequence[Mapping[str, Any]] = (),
    events: Sequence[Mapping[str, Any]] = (),
) -> Transfer:
    """Create a transfer with its route, its claims and its timeline in one transaction.

    Claims are mappings of Claim fields (``slug`` optional, generated from the transfer's);
    events are mappings of TransferEvent fields where ``claim`` is the slug of one of ``claims``.
    Any failure (a quote not in its source, a constraint) rolls everything back.
    """
    transfer = Transfer(
        slug=slug, supplier=supplier, recipient=recipient, materiel=materiel, status=status,
        supplier_actor=supplier_actor, recipient_actor=recipient_actor, quantity=quantity,
        quantity_note=quantity_note, destination=destination, covert=covert, first_reported=first_reported,
        description=description,
    )
    transfer.save()
    _set_route(transfer, via=via, via_regions=via_regions)
    by_slug = {}
    for number, data in enumerate(claims, start=1):
        fields = dict(data)
        # Fits the 120-character slug whatever the transfer's slug; the uuid part keeps it unique.
        fields.setdefault("slug", f"{transfer.slug[:90]}-claim-{number}-{uuid.uuid4().hex[:8]}")
        claim = Claim.objects.create(transfer=transfer, **fields)
        by_slug[claim.slug] = claim
    for data in events:
        fields = dict(data)
        claim_slug = fields.pop("claim", None)
        TransferEvent.objects.create(transfer=transfer, claim=by_slug.get(claim_slug) if claim_slug else None, **fields)
    return transfer


@transaction.atomic
def transfer_update(*, transfer: Transfer, data: Mapping[str, Any]) -> Transfer:
    """Change a transfer's own fields and, when given, replace its route; claims stay as they are.

    A reviewed transfer whose data changes returns to draft: its review no longer covers it.
    """
    from .review import transfer_return_to_draft

    changed = any(field in data and getattr(transfer, field) != data[field] for field in SCALAR_FIELDS)
    if data.get("via") is not None or data.get("via_regions") is not None:
        changed = changed or _route_changes(transfer, via=data.get("via"), via_regions=data.get("via_regions"))
    for field in SCALAR_FIELDS:
        if field in data:
            setattr(transfer, field, data[field])
    if changed and transfer.is_reviewed:
        transfer_return_to_draft(transfer=transfer)
    transfer.save()
    _set_route(transfer, via=data.get("via"), via_regions=data.get("via_regions"))
    return transfer
