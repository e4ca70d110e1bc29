"""Creating and changing a transfer with its route, claims and timeline: all or nothing."""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from transfers import rules
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

from .records import VersionMismatch, record_delete, record_save, transfer_part_changed

SCALAR_FIELDS = (
    "slug", "supplier", "recipient", "supplier_actor", "recipient_actor", "materiel", "quantity",
    "quantity_note", "status", "destination", "covert", "first_reported", "description",
)


def _set_route(
    transfer: Transfer, *, via: Iterable[State] | None, via_regions: Iterable[Place] | None, reason: str = ""
) -> None:
    # Rows are recreated in the order given: their ids keep the route order. The caller saves the
    # transfer once for the whole route (touch_transfer=False).
    if via is not None:
        for step in TransferVia.objects.filter(transfer=transfer):
            record_delete(record=step, reason=reason, touch_transfer=False)
        for state in via:
            record_save(record=TransferVia(transfer=transfer, state=state), reason=reason, touch_transfer=False)
    if via_regions is not None:
        for step in TransferViaRegion.objects.filter(transfer=transfer):
            record_delete(record=step, reason=reason, touch_transfer=False)
        for place in via_regions:
            record_save(record=TransferViaRegion(transfer=transfer, place=place), reason=reason, touch_transfer=False)


def _route_problems(transfer: Transfer, *, via: Sequence[State] | None, via_regions: Sequence[Place] | None):
    problems = []
    if via is not None:
        problems.append(rules.route_states(
            [state.pk for state in via], supplier_id=transfer.supplier_id, recipient_id=transfer.recipient_id,
            label=lambda pk: next(state.iso3 for state in via if state.pk == pk),
        ))
    if via_regions is not None:
        problems.append(rules.route_regions([place.pk for place in via_regions]))
    return problems


def _route_changes(transfer: Transfer, *, via: Iterable[State] | None, via_regions: Iterable[Place] | None) -> bool:
    """Whether the given route differs from the stored one (in order)."""
    stored_via = transfer.route.order_by("id").values_list("state_id", flat=True)
    if via is not None and [state.pk for state in via] != list(stored_via):
        return True
    return via_regions is not None and [p.pk for p in via_regions] != list(
        transfer.route_regions.order_by("id").values_list("place_id", flat=True)
    )


def _nested(name: str, count: int, index: int, error: ValidationError) -> ValidationError:
    """A nested record's refusal, shaped as the API reports nested lists: one entry per item."""
    items: list[dict] = [{} for _ in range(count)]
    items[index] = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
    refusal = ValidationError({name: f"{name} #{index + 1}: {error.messages[0]}"})
    refusal.api_detail = {name: items}
    return refusal


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
    reason: str = "",
) -> Transfer:
    """Create a transfer with its route, its claims and its timeline in one transaction.

    Claims are mappings of Claim fields (``slug`` optional, generated from the transfer's);
    events are mappings of TransferEvent fields where ``claim`` is the slug of one of ``claims``.
    Every record passes every rule (``full_clean``); any failure rolls everything back.
    """
    transfer = Transfer(
        slug=slug or f"transfer-{uuid.uuid4().hex[:12]}", supplier=supplier, recipient=recipient,
        materiel=materiel, status=status, supplier_actor=supplier_actor, recipient_actor=recipient_actor,
        quantity=quantity, quantity_note=quantity_note, destination=destination, covert=covert,
        first_reported=first_reported, description=description,
    )
    transfer.full_clean()
    rules.enforce(*_route_problems(transfer, via=via, via_regions=via_regions))
    record_save(record=transfer, reason=reason)
    _set_route(transfer, via=via, via_regions=via_regions, reason=reason)
    by_slug = {}
    for number, data in enumerate(claims):
        fields = dict(data)
        # Fits the 120-character slug whatever the transfer's slug; the uuid part keeps it unique.
        fields.setdefault("slug", f"{transfer.slug[:90]}-claim-{number + 1}-{uuid.uuid4().hex[:8]}")
        try:
            claim = record_save(record=Claim(transfer=transfer, **fields), reason=reason, touch_transfer=False)
        except ValidationError as error:
            raise _nested("claims", len(claims), number, error) from error
        by_slug[claim.slug] = claim
    for number, data in enumerate(events):
        fields = dict(data)
        claim_slug = fields.pop("claim", None)
        event = TransferEvent(transfer=transfer, claim=by_slug.get(claim_slug) if claim_slug else None, **fields)
        try:
            record_save(record=event, reason=reason, touch_transfer=False)
        except ValidationError as error:
            raise _nested("events", len(events), number, error) from error
    return transfer


@transaction.atomic
def transfer_update(
    *, transfer: Transfer, data: Mapping[str, Any], expected_version: int | None = None, reason: str = ""
) -> Transfer:
    """Change the fields ``data`` names (and, when given, replace the route); claims stay as they are.

    The stored transfer is read again under a row lock and only the named fields are written, so a
    concurrent change of other fields survives. ``expected_version`` (the API's ``If-Match``) refuses
    the change if the transfer moved on since the client read it. A reviewed transfer whose data
    changes returns to draft: its review no longer covers it.
    """

    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if expected_version is not None and transfer.version != expected_version:
        raise VersionMismatch(transfer, expected_version)
    via, via_regions = data.get("via"), data.get("via_regions")
    fields = [field for field in SCALAR_FIELDS if field in data and getattr(transfer, field) != data[field]]
    route_changed = (via is not None or via_regions is not None) and _route_changes(
        transfer, via=via, via_regions=via_regions
    )
    for field in fields:
        setattr(transfer, field, data[field])
    if via is not None:
        transfer.pending_via = [state.pk for state in via]
    rules.enforce(*_route_problems(transfer, via=via, via_regions=via_regions))
    if fields:
        record_save(record=transfer, fields=fields, reason=reason)
    if route_changed:
        _set_route(transfer, via=via, via_regions=via_regions, reason=reason)
        transfer_part_changed(transfer_id=transfer.pk, reason=reason)
    return transfer
