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

from transfers.choices import DatePrecision
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


def claim_of_transfer(claim_transfer_id, transfer_id) -> Problems:
    """A timeline step rests on a claim of its own transfer."""
    if claim_transfer_id is not None and transfer_id is not None and claim_transfer_id != transfer_id:
        return {"claim": "The claim must belong to the same transfer."}
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
