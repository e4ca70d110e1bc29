"""Creating and changing a transfer with its route, claims and timeline: all or nothing."""

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
        fields.setdefault("slug", f"{transfer.slug}-claim-{number}")
        claim = Claim.objects.create(transfer=transfer, **fields)
        by_slug[claim.slug] = claim
    for data in events:
        fields = dict(data)
        claim_slug = fields.pop("claim", None)
        TransferEvent.objects.create(transfer=transfer, claim=by_slug.get(claim_slug) if claim_slug else None, **fields)
    return transfer


@transaction.atomic
def transfer_update(*, transfer: Transfer, data: Mapping[str, Any]) -> Transfer:
    """Change a transfer's own fields and, when given, replace its route; claims stay as they are."""
    for field in SCALAR_FIELDS:
        if field in data:
            setattr(transfer, field, data[field])
    transfer.save()
    _set_route(transfer, via=data.get("via"), via_regions=data.get("via_regions"))
    return transfer
