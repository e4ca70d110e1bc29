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

from transfers import readmodel, rules
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

from .records import VersionMismatch, record_delete, record_save, transfer_part_changed

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


def _nested(name: str, count: int, index: int, error: ValidationError) -> ValidationError:
    """A nested record's refusal, shaped as the API reports nested lists: one entry per item."""
    items: list[dict] = [{} for _ in range(count)]
    items[index] = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
    refusal = ValidationError({name: f"{name} #{index + 1}: {error.messages[0]}"})
    refusal.api_detail = {name: items}
    return refusal


def _saved(record, *, where: tuple[str, int, int], reason: str):
    """Save a part of a transfer through the one write path (every rule, history with ``reason``); an
    error names the part's list and position (``where`` = (list, index, count))."""
    try:
        return record_save(record=record, reason=reason, touch_transfer=False)
    except ValidationError as error:
        name, index, count = where
        raise _nested(name, count, index, error) from error


def _add_claims(
    transfer: Transfer, claims: Sequence[Mapping[str, Any]], resolver: _Claims, reason: str
) -> list[Claim]:
    added = []
    for number, data in enumerate(claims, start=1):
        fields = dict(data)
        # Fits the 120-character slug whatever the transfer's slug; the uuid part keeps it unique.
        fields.setdefault("slug", f"{transfer.slug[:90]}-claim-{number}-{uuid.uuid4().hex[:8]}")
        claim = _saved(Claim(transfer=transfer, **fields), where=("claims", number - 1, len(claims)), reason=reason)
        resolver.new[claim.slug] = claim
        added.append(claim)
    return added


def _add_events(
    transfer: Transfer, events: Sequence[Mapping[str, Any]], resolver: _Claims, reason: str
) -> list[TransferEvent]:
    added = []
    for index, data in enumerate(events):
        fields = dict(data)
        claim = resolver.get(fields.pop("claim", None), field="events")
        event = TransferEvent(transfer=transfer, claim=claim, **fields)
        added.append(_saved(event, where=("events", index, len(events)), reason=reason))
    return added


def _set_route(transfer: Transfer, legs: Sequence[Mapping[str, Any]], resolver: _Claims, reason: str) -> None:
    """Replace the route by ``legs``, numbered 1, 2... in the order given unless they carry ``seq``."""
    seqs = [leg.get("seq") for leg in legs]
    rules.enforce(rules.route_seqs(seqs))
    for step in TransferVia.objects.filter(transfer=transfer):
        record_delete(record=step, reason=reason, touch_transfer=False)
    ordered = sorted(legs, key=lambda leg: leg["seq"]) if legs and seqs[0] is not None else legs
    for number, data in enumerate(ordered, start=1):
        fields = {k: v for k, v in data.items() if k not in ("seq", "claim")}
        claim = resolver.get(data.get("claim"), field="route")
        leg = TransferVia(transfer=transfer, seq=data.get("seq") or number, claim=claim, **fields)
        _saved(leg, where=("route", number - 1, len(ordered)), reason=reason)


def _set_parties(transfer: Transfer, parties: Sequence[Mapping[str, Any]], resolver: _Claims, reason: str) -> None:
    for party in TransferParty.objects.filter(transfer=transfer):
        record_delete(record=party, reason=reason, touch_transfer=False)
    numbers: dict[str, int] = {}
    for index, data in enumerate(parties):
        numbers[data["role"]] = numbers.get(data["role"], 0) + 1
        fields = {k: v for k, v in data.items() if k != "claim"}
        claim = resolver.get(data.get("claim"), field="parties")
        party = TransferParty(transfer=transfer, number=numbers[data["role"]], claim=claim, **fields)
        _saved(party, where=("parties", index, len(parties)), reason=reason)


def _set_breaches(transfer: Transfer, breaches: Sequence[Mapping[str, Any]], resolver: _Claims, reason: str) -> None:
    for breach in TransferBreach.objects.filter(transfer=transfer):
        record_delete(record=breach, reason=reason, touch_transfer=False)
    for index, data in enumerate(breaches):
        claim = resolver.get(data.get("claim"), field="breaches")
        breach = TransferBreach(transfer=transfer, regime=data["regime"], claim=claim)
        _saved(breach, where=("breaches", index, len(breaches)), reason=reason)


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
              else [leg(s) for s in stored if transit(s, "state") and s.place_id is None])
    places = ([{"place": p, "role": LegRole.TRANSIT} for p in via_regions] if via_regions is not None
              else [leg(s) for s in stored if transit(s, "place")])
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


def _pending_via(legs: Sequence[Mapping[str, Any]]) -> list:
    """The transit States of legs about to be written, for the transfer's own route rule."""
    return rules.transit_states((leg.get("role", LegRole.TRANSIT), getattr(leg.get("state"), "pk", None))
                                for leg in legs)


def _route_problems(transfer: Transfer, legs: Sequence[Mapping[str, Any]]) -> list:
    """The route rules that need the whole route at once: transit States once each, neither party."""
    places = [leg["place"].pk for leg in legs if leg.get("place") is not None
              and leg.get("role", LegRole.TRANSIT) in TRANSIT_ROLES]
    states = {leg["state"].pk: leg["state"].iso3 for leg in legs if leg.get("state") is not None}
    return [
        rules.route_states(_pending_via(legs), supplier_id=transfer.supplier_id, recipient_id=transfer.recipient_id,
                           label=lambda pk: states.get(pk, str(pk))),
        rules.route_regions(places),
    ]


@readmodel.batched()
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
    reason: str = "",
) -> Transfer:
    """Create a transfer with its route, parties, claims and timeline in one transaction.

    Claims are mappings of Claim fields (``slug`` optional, generated from the transfer's); events,
    legs, parties, breaches and the value name a claim by the slug of one of ``claims``. Every record
    passes every rule (``full_clean``); any failure rolls everything back.
    """
    _route_arguments({"route": route, "via": via, "via_regions": via_regions})
    transfer = Transfer(
        slug=slug or f"transfer-{uuid.uuid4().hex[:12]}", supplier=supplier, recipient=recipient,
        materiel=materiel, status=status, supplier_actor=supplier_actor, recipient_actor=recipient_actor,
        quantity=quantity, quantity_delivered=quantity_delivered, quantity_low=quantity_low,
        quantity_high=quantity_high, quantity_estimated=quantity_estimated, quantity_note=quantity_note,
        destination=destination, covert=covert, first_reported=first_reported, description=description,
    )
    legs = route if route is not None else route_from_via(None, via=via or (), via_regions=via_regions or ())
    if events:
        # The status follows the latest dated step (the later one given on a tie).
        transfer.status = max(enumerate(events), key=lambda item: (item[1]["date"], item[0]))[1]["status"]
    transfer.full_clean()
    rules.enforce(*_route_problems(transfer, legs))
    record_save(record=transfer, reason=reason)
    resolver = _Claims(transfer)
    _add_claims(transfer, claims, resolver, reason)
    _add_events(transfer, events, resolver, reason)
    _set_route(transfer, legs, resolver, reason)
    _set_parties(transfer, parties, resolver, reason)
    _set_breaches(transfer, breaches, resolver, reason)
    if value is not None:
        # The value rests on a claim created above: the transfer's second save.
        _set_value(transfer, value, resolver)
        record_save(record=transfer, fields=VALUE_ATTRS, reason=reason)
    return transfer


@readmodel.batched()
def transfer_update(
    *, transfer: Transfer, data: Mapping[str, Any], expected_version: int | None = None, reason: str = ""
) -> Transfer:
    """Change the fields ``data`` names and, when given, replace the route, parties, breaches or value;
    claims and timeline steps are added with ``transfer_add``.

    The stored transfer is read again under a row lock and only the named fields are written, so a
    concurrent change of other fields survives. ``expected_version`` (the API's ``If-Match``) refuses
    the change if the transfer moved on since the client read it. A reviewed transfer whose data
    changes returns to draft (services.records).
    """
    route_given, route = _route_arguments(data)
    transfer = Transfer.objects.select_for_update(no_key=True).get(pk=transfer.pk)
    if expected_version is not None and transfer.version != expected_version:
        raise VersionMismatch(transfer, expected_version)
    resolver = _Claims(transfer)
    fields = [field for field in SCALAR_FIELDS if field in data and getattr(transfer, field) != data[field]]
    for field in fields:
        setattr(transfer, field, data[field])
    if "value" in data:
        before = [getattr(transfer, attr) for attr in VALUE_ATTRS]
        _set_value(transfer, data["value"], resolver)
        if [getattr(transfer, attr) for attr in VALUE_ATTRS] != before:
            fields += VALUE_ATTRS
    legs = None
    if route_given:
        legs = route if route is not None else route_from_via(
            transfer, via=data.get("via"), via_regions=data.get("via_regions")
        )
        transfer.pending_via = _pending_via(legs)
        rules.enforce(*_route_problems(transfer, legs))
    if fields:
        record_save(record=transfer, fields=fields, reason=reason)
    parts_changed = False
    if legs is not None and _legs_differ(transfer, legs):
        _set_route(transfer, legs, resolver, reason)
        parts_changed = True
    if data.get("parties") is not None:
        _set_parties(transfer, data["parties"], resolver, reason)
        parts_changed = True
    if data.get("breaches") is not None:
        _set_breaches(transfer, data["breaches"], resolver, reason)
        parts_changed = True
    if parts_changed:
        transfer_part_changed(transfer_id=transfer.pk, reason=reason)
    return transfer


@readmodel.batched()
def transfer_add(
    *,
    transfer: Transfer,
    claims: Sequence[Mapping[str, Any]] = (),
    events: Sequence[Mapping[str, Any]] = (),
    expected_version: int | None = None,
    reason: str = "",
) -> tuple[list[Claim], list[TransferEvent]]:
    """Add claims and timeline steps to an existing transfer, all or nothing, under the same rules as
    creation; a step may rest on a claim added in the same call or one the transfer has. The
    transfer's status follows its latest dated step; a reviewed transfer returns to draft."""
    transfer = Transfer.objects.select_for_update(no_key=True).get(pk=transfer.pk)
    if expected_version is not None and transfer.version != expected_version:
        raise VersionMismatch(transfer, expected_version)
    resolver = _Claims(transfer)
    added_claims = _add_claims(transfer, claims, resolver, reason)
    added_events = _add_events(transfer, events, resolver, reason)
    if added_events:
        status = transfer.status
        _follow_timeline(transfer)
        if transfer.status != status:
            record_save(record=transfer, fields=["status"], reason=reason)
    transfer_part_changed(transfer_id=transfer.pk, reason=reason)
    return added_claims, added_events


def _legs_differ(transfer: Transfer, legs: Sequence[Mapping[str, Any]]) -> bool:
    """Whether ``legs`` differ from the stored route (in order)."""
    def key(state, place, role, mode, claim):
        return (getattr(state, "pk", state), getattr(place, "pk", place), role, mode, claim)

    stored = [key(s.state_id, s.place_id, s.role, s.mode, s.claim.slug if s.claim_id else None)
              for s in transfer.route.select_related("claim").order_by("seq")]
    given = [key(leg.get("state"), leg.get("place"), leg.get("role", LegRole.TRANSIT), leg.get("mode", "unknown"),
                 leg.get("claim")) for leg in legs]
    return stored != given


VALUE_ATTRS = ["value_amount", "value_currency", "value_year", "value_claim"]
