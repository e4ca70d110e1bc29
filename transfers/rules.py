"""The domain's rules, each written once, as pure functions of the values they judge.

Every rule returns the problems it finds as ``{field: message}`` (empty when the values pass). Model
``clean()`` methods call them and raise through :func:`enforce`; the write services call
``full_clean()``, so the API, the admin's forms, inlines and import, ``import_transfers`` and
``loaddata`` all refuse the same record with the same message. Serializers, forms and import
resources only parse: they never repeat a rule. Add a rule here, call it from the model's
``clean()`` (or from a service, when it needs several records at once), and every path has it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping

from django.core.exceptions import ValidationError

from transfers.choices import CONTESTING_STANCES, TRANSIT_ROLES, DatePrecision
from transfers.quotes import quote_in_text

Problems = dict[str, str]


def enforce(*problems: Mapping[str, str]) -> None:
    """Raise one ValidationError carrying every problem found (the first message per field)."""
    merged: Problems = {}
    for found in problems:
        for field, message in found.items():
            merged.setdefault(field, message)
    if merged:
        raise ValidationError(merged)


# --- parties and route --------------------------------------------------------------------------


def parties_differ(supplier_id, recipient_id) -> Problems:
    if supplier_id is not None and supplier_id == recipient_id:
        return {"recipient": "The supplier and the recipient must be different States."}
    return {}


def route_states(via: Iterable, *, supplier_id, recipient_id, label: Callable[[object], str] = str) -> Problems:
    """Transit States: each once, and neither the supplier nor the recipient (ids, in route order)."""
    seen = set()
    for state_id in via:
        if state_id in (supplier_id, recipient_id):
            return {"via": f"{label(state_id)} is the supplier or the recipient, not a transit State."}
        if state_id in seen:
            return {"via": f"{label(state_id)} appears twice on the route."}
        seen.add(state_id)
    return {}


def transit_states(legs: Iterable[tuple[str, object]]) -> list:
    """The States the old ``via`` list names: those of the route's transit legs, given as (role, state_id)."""
    return [state_id for role, state_id in legs if role in TRANSIT_ROLES and state_id is not None]


def leg_names_a_place(state_id, place_id) -> Problems:
    if state_id is None and place_id is None:
        return {"place": "A route leg names a State or a place."}
    return {}


def route_seqs(seqs: list) -> Problems:
    """Legs sent with a seq: every one, each different (or none: the order given)."""
    given = [seq for seq in seqs if seq is not None]
    if given and (len(given) != len(seqs) or len(set(given)) != len(given)):
        return {"route": "Give every leg a different seq, or none (the order given)."}
    return {}


def party_names_someone(actor_id, state_id) -> Problems:
    if actor_id is None and state_id is None:
        return {"actor": "A party names an actor or a State."}
    return {}


def route_regions(places: Iterable) -> Problems:
    places = list(places)
    if len(set(places)) != len(places):
        return {"via_regions": "A region appears twice on the route."}
    return {}


# --- dates --------------------------------------------------------------------------------------


def date_matches_precision(date: datetime.date | None, precision: str, *, field: str = "date") -> Problems:
    if date is None:
        return {}
    if precision == DatePrecision.MONTH and date.day != 1:
        return {field: "A month-precision date is stored as the first day of its month."}
    if precision == DatePrecision.YEAR and (date.month, date.day) != (1, 1):
        return {field: "A year-precision date is stored as 1 January of its year."}
    return {}


def date_range_ordered(date: datetime.date | None, date_to: datetime.date | None) -> Problems:
    if date is not None and date_to is not None and date_to < date:
        return {"date_to": "date_to cannot be before date."}
    return {}


# --- quantities and value -----------------------------------------------------------------------


def quantity_range(low, high, exact=None, *, prefix: str = "quantity") -> Problems:
    """A range's bounds in order, and an exact figure given with them inside them."""
    if low is not None and high is not None and low > high:
        return {f"{prefix}_high": f"{prefix}_high cannot be below {prefix}_low."}
    if exact is not None and ((low is not None and exact < low) or (high is not None and exact > high)):
        return {prefix: f"{prefix} must lie between {prefix}_low and {prefix}_high."}
    return {}


def value_complete(amount, currency: str, year, claim_id) -> Problems:
    """A deal's value: an amount with its currency; a year or a claim only with an amount."""
    if (amount is None) != (not currency):
        return {"value_currency": "A value needs its amount and a currency (ISO 4217, e.g. USD)."}
    if amount is None and (year is not None or claim_id is not None):
        return {"value_amount": "A value's year or claim needs the amount."}
    return {}


def quantity_ranges_conflict(claims: Iterable[Mapping]) -> bool:
    """Whether claims assert quantities whose ranges do not overlap.

    Each claim's range is [quantity_low or quantity, quantity_high or quantity]; claims without a
    figure do not count. The ranges fail to overlap exactly when the highest low exceeds the lowest
    high. (selectors.quantity_conflict_exists says the same in SQL; a test holds them equal.)
    """
    lows, highs = [], []
    for claim in claims:
        low = claim["quantity_low"] if claim["quantity_low"] is not None else claim["quantity"]
        high = claim["quantity_high"] if claim["quantity_high"] is not None else claim["quantity"]
        if low is None and high is None:
            continue
        lows.append(low if low is not None else 0)
        if high is not None:
            highs.append(high)
    return bool(lows) and bool(highs) and max(lows) > min(highs)


def claims_contested(claims: list[Mapping]) -> bool:
    """A transfer is contested when a claim denies or disputes it, or its claims' quantities disagree."""
    return any(claim["stance"] in CONTESTING_STANCES for claim in claims) or quantity_ranges_conflict(claims)


# --- provenance ---------------------------------------------------------------------------------


def quote_needs_source(quote: str, source_id) -> Problems:
    if quote and source_id is None:
        return {"source": "A quote needs the source it comes from."}
    return {}


def quote_in_source(quote: str, *, source_slug: str, source_text: str) -> Problems:
    """The verbatim-quote rule: the quote stands in the stored text of its source."""
    if quote and not quote_in_text(quote, source_text):
        return {"quote": f"The quote is not found in the text of source '{source_slug}'."}
    return {}


def text_keeps_quotes(stranded: list[str]) -> Problems:
    """A source's new text must keep every quote resting on it (``stranded``: those it would lose)."""
    if stranded:
        return {"text": f"The new text no longer contains the quotes of: {', '.join(stranded[:20])}."}
    return {}


def claim_of_transfer(claim_transfer_id, transfer_id, *, field: str = "claim") -> Problems:
    """A timeline step, route leg, party, breach or value rests on a claim of its own transfer."""
    if claim_transfer_id is not None and transfer_id is not None and claim_transfer_id != transfer_id:
        return {field: "The claim must belong to the same transfer."}
    return {}


# --- reference data -----------------------------------------------------------------------------


def names_list(value, *, field: str = "aliases") -> Problems:
    """Aliases and authors: a JSON list of non-empty strings (never one string, which reads as letters)."""
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        return {field: "Must be a list of non-empty strings, e.g. [\"DPRK\", \"North Korea\"]."}
    return {}


def part_of_acyclic(pk, chain: Iterable) -> Problems:
    """``chain``: the ids met going up ``part_of`` from the record's parent; it must not come back."""
    if pk is None:
        return {}
    for ancestor in chain:
        if ancestor == pk:
            return {"part_of": "An actor cannot be part of itself, directly or through others."}
    return {}


def kind_of_acyclic(pk, chain: Iterable) -> Problems:
    """``chain``: the ids met going up ``kind_of`` from the materiel's broader one; it must not come back."""
    if pk is None:
        return {}
    for broader in chain:
        if broader == pk:
            return {"kind_of": "A materiel cannot be a kind of itself or of a narrower materiel."}
    return {}


# --- review -------------------------------------------------------------------------------------


def reviewer_allowed(*, reviewer_id, creator_id, changed_by: Iterable) -> str:
    """Four eyes: the reviewer neither created the transfer nor changed it since its last review.

    Returns the refusal ("" when the reviewer may review).
    """
    if creator_id is not None and creator_id == reviewer_id:
        return "was created by you; a second user must review it."
    if reviewer_id in set(changed_by):
        return "was changed by you since its last review; a second user must review it."
    return ""
