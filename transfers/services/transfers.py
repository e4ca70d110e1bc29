"""Creating and changing a transfer with its route, parties, claims and timeline: all or nothing.

Every record is checked by its model's rules (``full_clean``) before it is saved; serializers and
importers only parse. Claims are referred to by slug: one created in the same call, or one the
transfer already has.
"""

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from transfers.choices import TRANSIT_ROLES, LegRole
from transfers.models import (
    Actor,
    Claim,
    Materiel,
    Place,
    State,
    Transfer,
    TransferBreach,
    TransferEvent,
    TransferParty,
    TransferVia,
)

SCALAR_FIELDS = (
    "slug", "supplier", "recipient", "supplier_actor", "recipient_actor", "materiel", "quantity",
    "quantity_delivered", "quantity_low", "quantity_high", "quantity_estimated", "quantity_note", "status",
    "destination", "covert", "first_reported", "description",
)
VALUE_FIELDS = {"amount": "value_amount", "currency": "value_currency", "year": "value_year"}


class _Claims:
    """Resolves claim slugs to the transfer's claims: those created in this call first."""

    def __init__(self, transfer: Transfer):
        self.transfer = transfer
        self.new: dict[str, Claim] = {}

    def get(self, slug: str | None, *, field: str) -> Claim | None:
        if not slug:
            return None
        claim = self.new.get(slug) or Claim.objects.filter(transfer=self.transfer, slug=slug).first()
        if claim is None:
            raise ValidationError({field: f"'{slug}' is not a claim of this transfer (nor one sent with it)."})
        return claim


class NestedRecordError(ValidationError):
    """A record of a nested list (a transfer's claims, events, legs...) broke a rule.

    Its message names the list and the position; ``api_detail`` places the errors at that position
    the way the API reports nested errors (transfers.exceptions)."""

    def __init__(self, field: str, index: int, count: int, error: ValidationError):
        detail = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        self.api_detail = {field: [detail if n == index else {} for n in range(count)]}
        super().__init__({field: [f"item {index + 1}: {name}: {' '.join(messages)}"
                                  for name, messages in detail.items()]})


def _saved(record, *, where: tuple[str, int, int] | None = None):
    """Check ``record`` against its model's rules and save it. ``where`` = (field, index, count) places
    an error at the record's position in a nested list."""
    try:
        record.full_clean()
    except ValidationError as error:
        if where is None:
            raise
        raise NestedRecordError(*where, error) from error
    record.save()
    return record


def _add_claims(transfer: Transfer, claims: Sequence[Mapping[str, Any]], resolver: _Claims) -> list[Claim]:
    added = []
    for number, data in enumerate(claims, start=1):
        fields = dict(data)
        # Fits the 120-character slug whatever the transfer's slug; the uuid part keeps it unique.
        fields.setdefault("slug", f"{transfer.slug[:90]}-claim-{number}-{uuid.uuid4().hex[:8]}")
        claim = _saved(Claim(transfer=transfer, **fields), where=("claims", number - 1, len(claims)))
        resolver.new[claim.slug] = claim
        added.append(claim)
    return added


def _add_events(transfer: Transfer, events: Sequence[Mapping[str, Any]], resolver: _Claims) -> list[TransferEvent]:
    added = []
    for index, data in enumerate(events):
        fields = dict(data)
        claim = resolver.get(fields.pop("claim", None), field="events")
        event = TransferEvent(transfer=transfer, claim=claim, **fields)
        added.append(_saved(event, where=("events", index, len(events))))
    return added


def _set_route(transfer: Transfer, legs: Sequence[Mapping[str, Any]], resolver: _Claims) -> None:
    """Replace the route by ``legs``, numbered 1, 2... in the order given unless they carry ``seq``."""
    TransferVia.objects.filter(transfer=transfer).delete()
    seqs = [leg.get("seq") for leg in legs]
    if any(seq is not None for seq in seqs):
        if None in seqs or len(set(seqs)) != len(seqs):
            raise ValidationError({"route": "Give every leg a different seq, or none (the order given)."})
    ordered = sorted(legs, key=lambda leg: leg["seq"]) if legs and seqs[0] is not None else legs
    for number, data in enumerate(ordered, start=1):
        fields = {k: v for k, v in data.items() if k not in ("seq", "claim")}
        claim = resolver.get(data.get("claim"), field="route")
        _saved(TransferVia(transfer=transfer, seq=data.get("seq") or number, claim=claim, **fields),
               where=("route", number - 1, len(ordered)))


def _set_parties(transfer: Transfer, parties: Sequence[Mapping[str, Any]], resolver: _Claims) -> None:
    TransferParty.objects.filter(transfer=transfer).delete()
    numbers: dict[str, int] = {}
    for index, data in enumerate(parties):
        numbers[data["role"]] = numbers.get(data["role"], 0) + 1
        fields = {k: v for k, v in data.items() if k != "claim"}
        claim = resolver.get(data.get("claim"), field="parties")
        _saved(TransferParty(transfer=transfer, number=numbers[data["role"]], claim=claim, **fields),
               where=("parties", index, len(parties)))


def _set_breaches(transfer: Transfer, breaches: Sequence[Mapping[str, Any]], resolver: _Claims) -> None:
    TransferBreach.objects.filter(transfer=transfer).delete()
    seen = set()
    for data in breaches:
        if data["regime"].pk in seen:
            raise ValidationError({"breaches": f"Regime '{data['regime'].slug}' is listed twice."})
        seen.add(data["regime"].pk)
        claim = resolver.get(data.get("claim"), field="breaches")
        _saved(TransferBreach(transfer=transfer, regime=data["regime"], claim=claim))


def _set_value(transfer: Transfer, value: Mapping[str, Any] | None, resolver: _Claims) -> None:
    for key, field in VALUE_FIELDS.items():
        setattr(transfer, field, (value or {}).get(key, "" if key == "currency" else None))
    transfer.value_claim = resolver.get((value or {}).get("claim"), field="value")


def route_from_via(
    transfer: Transfer | None, *, via: Sequence[State] | None, via_regions: Sequence[Place] | None
) -> list[dict]:
    """The legs that writing the old ``via`` / ``via_regions`` lists means: the given transit States
    and places replace the route's transit legs of that kind; its other legs stay around them."""
    stored = list(transfer.route.order_by("seq")) if transfer is not None and transfer.pk else []

    def leg(step: TransferVia) -> dict:
        return {"state": step.state, "place": step.place, "role": step.role, "mode": step.mode,
                "claim": step.claim.slug if step.claim_id else None}

    def transit(step, kind):
        return step.role in TRANSIT_ROLES and getattr(step, f"{kind}_id") is not None

    origin = [leg(s) for s in stored if s.role == LegRole.ORIGIN]
    states = ([{"state": s, "role": LegRole.TRANSIT} for s in via] if via is not None
              else [leg(s) for s in stored if transit(s, "state")])
    places = ([{"place": p, "role": LegRole.TRANSIT} for p in via_regions] if via_regions is not None
              else [leg(s) for s in stored if transit(s, "place") and s.state_id is None])
    rest = [leg(s) for s in stored if s.role not in (LegRole.ORIGIN, *TRANSIT_ROLES)]
    return origin + states + places + rest


def _follow_timeline(transfer: Transfer) -> None:
    """The transfer's status is its latest dated step's (by date, then the later entry)."""
    latest = transfer.events.order_by("-date", "-id").values_list("status", flat=True).first()
    if latest is not None:
        transfer.status = latest


def _route_arguments(data: Mapping[str, Any]) -> tuple[bool, list | None]:
    if data.get("route") is not None and (data.get("via") is not None or data.get("via_regions") is not None):
        raise ValidationError({"route": "Give the route as legs, or via / via_regions, not both."})
    return data.get("route") is not None or data.get("via") is not None or data.get("via_regions") is not None, \
        data.get("route")


@transaction.atomic
def transfer_create(
    *,
    materiel: Materiel,
    status: str,
    supplier: State | None = None,
    recipient: State | None = None,
    slug: str = "",
    supplier_actor: Actor | None = None,
    recipient_actor: Actor | None = None,
    quantity: int | None = None,
    quantity_delivered: int | None = None,
    quantity_low: int | None = None,
    quantity_high: int | None = None,
    quantity_estimated: bool = False,
    quantity_note: str = "",
    destination: Place | None = None,
    covert: bool = False,
    first_reported: date | None = None,
    description: str = "",
    value: Mapping[str, Any] | None = None,
    route: Sequence[Mapping[str, Any]] | None = None,
    via: Sequence[State] | None = None,
    via_regions: Sequence[Place] | None = None,
    parties: Sequence[Mapping[str, Any]] = (),
    breaches: Sequence[Mapping[str, Any]] = (),
    claims: Sequence[Mapping[str, Any]] = (),
    events: Sequence[Mapping[str, Any]] = (),
) -> Transfer:
    """Create a transfer with its route, parties, claims and timeline in one transaction.

    Claims are mappings of Claim fields (``slug`` optional, generated from the transfer's); events,
    legs, parties, breaches and the value name a claim by the slug of one of ``claims``. Any failure
    (a quote not in its source, a rule of a model) rolls everything back.
    """
    _route_arguments({"route": route, "via": via, "via_regions": via_regions})
    transfer = Transfer(
        slug=slug or f"transfer-{uuid.uuid4().hex[:12]}", supplier=supplier, recipient=recipient,
        materiel=materiel, status=status, supplier_actor=supplier_actor, recipient_actor=recipient_actor,
        quantity=quantity, quantity_delivered=quantity_delivered, quantity_low=quantity_low,
        quantity_high=quantity_high, quantity_estimated=quantity_estimated, quantity_note=quantity_note,
        destination=destination, covert=covert, first_reported=first_reported, description=description,
    )
    _saved(transfer)
    resolver = _Claims(transfer)
    _add_claims(transfer, claims, resolver)
    _add_events(transfer, events, resolver)
    _set_route(transfer, route if route is not None else route_from_via(None, via=via or (),
                                                                        via_regions=via_regions or ()), resolver)
    _set_parties(transfer, parties, resolver)
    _set_breaches(transfer, breaches, resolver)
    if value is not None or events:
        _set_value(transfer, value, resolver)
        if events:
            _follow_timeline(transfer)
        _saved(transfer)
    return transfer


@transaction.atomic
def transfer_update(*, transfer: Transfer, data: Mapping[str, Any]) -> Transfer:
    """Change a transfer's own fields and, when given, replace its route, parties, breaches or value;
    claims and the timeline are added with ``transfer_add``.

    A reviewed transfer whose data changes returns to draft: its review no longer covers it.
    """
    from .review import transfer_return_to_draft

    route_given, route = _route_arguments(data)
    resolver = _Claims(transfer)
    before = transfer_snapshot(transfer)
    for field in SCALAR_FIELDS:
        if field in data:
            setattr(transfer, field, data[field])
    if "value" in data:
        _set_value(transfer, data["value"], resolver)
    _saved(transfer)
    if route_given:
        legs = route if route is not None else route_from_via(
            transfer, via=data.get("via"), via_regions=data.get("via_regions")
        )
        _set_route(transfer, legs, resolver)
    if data.get("parties") is not None:
        _set_parties(transfer, data["parties"], resolver)
    if data.get("breaches") is not None:
        _set_breaches(transfer, data["breaches"], resolver)
    if transfer.is_reviewed and transfer_snapshot(transfer) != before:
        transfer_return_to_draft(transfer=transfer)
        transfer.save(update_fields=["reviewed_by", "reviewed_at", "updated_at"])
    return transfer


@transaction.atomic
def transfer_add(
    *, transfer: Transfer, claims: Sequence[Mapping[str, Any]] = (), events: Sequence[Mapping[str, Any]] = ()
) -> tuple[list[Claim], list[TransferEvent]]:
    """Add claims and timeline steps to an existing transfer, all or nothing, under the same rules as
    creation; a step may rest on a claim added in the same call. The status follows the timeline."""
    from .review import transfer_return_to_draft

    resolver = _Claims(transfer)
    added_claims = _add_claims(transfer, claims, resolver)
    added_events = _add_events(transfer, events, resolver)
    if added_events:
        _follow_timeline(transfer)
    if transfer.is_reviewed and (added_claims or added_events):
        transfer_return_to_draft(transfer=transfer)
    transfer.save()
    return added_claims, added_events


def transfer_snapshot(transfer: Transfer) -> tuple:
    """What a review vouches for: the transfer's fields, its value and its route, parties and breaches."""
    own = tuple(getattr(transfer, f"{field}_id" if field in FOREIGN_KEYS else field) for field in SCALAR_FIELDS)
    value = tuple(getattr(transfer, field) for field in (*VALUE_FIELDS.values(), "value_claim_id"))
    if transfer.pk is None:
        return own + value
    route = tuple(transfer.route.order_by("seq").values_list("seq", "state_id", "place_id", "role", "mode", "claim_id"))
    parties = tuple(transfer.parties.order_by("id").values_list("role", "actor_id", "state_id", "claim_id"))
    breaches = tuple(transfer.breaches.order_by("id").values_list("regime_id", "claim_id"))
    return own, value, route, parties, breaches


FOREIGN_KEYS = {"supplier", "recipient", "supplier_actor", "recipient_actor", "materiel", "destination"}
