"""Building transfers' documents: each transfer as the API shows it, from the curated tables.

A batch of transfers costs seven queries whatever its size: the transfers with their references
joined (and the sanction flag), then their route legs, parties, breaches, claims and timeline steps.
The shape is TransferSerializer's (the API contract; tests/test_api_transfers.py pins it).
"""

from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from transfers import selectors
from transfers.choices import TRANSIT_ROLES, TransferStatus
from transfers.models import Claim, Transfer, TransferBreach, TransferEvent, TransferParty, TransferVia
from transfers.models.transfers import date_display
from transfers.rules import claims_contested

# The document's keys, in TransferSerializer's order.
TRANSFER_FIELDS = [
    "id", "slug", "supplier", "supplier_name", "recipient", "recipient_name", "supplier_actor", "supplier_actor_name",
    "recipient_actor", "recipient_actor_name", "materiel", "materiel_name", "category",
    "quantity", "quantity_ordered", "quantity_delivered", "quantity_low", "quantity_high", "quantity_estimated",
    "quantity_note", "deliveries", "status", "route", "via", "via_regions", "destination", "destination_name",
    "parties", "value", "breaches", "covert", "first_reported", "description", "sanctioned", "contested", "reviewed",
    "claims", "events",
]

# Document key -> the transfer query's path, for the transfer's own and its references' values.
_TRANSFER_VALUES = {
    "id": "id", "slug": "slug", "supplier": "supplier__iso3", "supplier_name": "supplier__name",
    "recipient": "recipient__iso3", "recipient_name": "recipient__name",
    "supplier_actor": "supplier_actor__slug", "supplier_actor_name": "supplier_actor__name",
    "recipient_actor": "recipient_actor__slug", "recipient_actor_name": "recipient_actor__name",
    "materiel": "materiel__slug", "materiel_name": "materiel__name", "category": "category", "quantity": "quantity",
    "quantity_delivered": "quantity_delivered", "quantity_low": "quantity_low", "quantity_high": "quantity_high",
    "quantity_estimated": "quantity_estimated", "quantity_note": "quantity_note", "status": "status",
    "destination": "destination__slug", "destination_name": "destination__name", "covert": "covert",
    "first_reported": "first_reported", "description": "description", "value_amount": "value_amount",
    "value_currency": "value_currency", "value_year": "value_year", "value_claim": "value_claim__slug",
    "reviewed_at": "reviewed_at",
}

# What search reads besides the document: the names' other spellings (designations and aliases).
_SEARCH_VALUES = {
    "materiel_designation": "materiel__designation", "materiel_aliases": "materiel__aliases",
    "supplier_aliases": "supplier__aliases", "recipient_aliases": "recipient__aliases",
    "supplier_actor_aliases": "supplier_actor__aliases", "recipient_actor_aliases": "recipient_actor__aliases",
}


class Built(NamedTuple):
    """A transfer's document, its flags, and the text search indexes."""

    document: dict
    contested: bool
    sanctioned: bool
    search_text: str


def _grouped(ids: list[int], rows: Iterable[dict]) -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = {pk: [] for pk in ids}
    for row in rows:
        grouped[row.pop("transfer_id")].append(row)
    return grouped


def deliveries(events: list[dict]) -> list[dict]:
    """Items delivered per year, from the timeline's dated delivery steps that carry a quantity."""
    years: dict[int, int] = {}
    for event in events:
        if event["status"] == TransferStatus.DELIVERED and event["quantity"] is not None:
            year = int(event["date"][:4])
            years[year] = years.get(year, 0) + event["quantity"]
    return [{"year": year, "quantity": quantity} for year, quantity in sorted(years.items())]


def _event(row: dict) -> dict:
    day, day_to = row["date"], row["date_to"]
    return {
        "status": row["status"], "date": day.isoformat(), "date_to": day_to.isoformat() if day_to else None,
        "date_precision": row["date_precision"], "date_display": date_display(day, row["date_precision"], day_to),
        "quantity": row["quantity"], "claim": row["claim"], "note": row["note"],
    }


def _names(*values: Any) -> list[str]:
    """The non-empty texts among names and alias lists."""
    words = []
    for value in values:
        if isinstance(value, list):
            words += [str(item) for item in value if item]
        elif value:
            words.append(str(value))
    return words


def build(ids: Iterable[int], *, using: str = "default") -> dict[int, Built]:
    """The documents of the transfers ``ids`` (those that exist), by id: seven queries."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    paths = {**_TRANSFER_VALUES, **_SEARCH_VALUES}
    transfers = [
        {key: row[path] for key, path in paths.items()} | {"sanctioned": row["sanctioned"]}
        for row in Transfer.objects.using(using).filter(pk__in=ids).order_by()
        .values(*paths.values(), sanctioned=selectors.sanctioned_flag())
    ]
    ids = [row["id"] for row in transfers]

    def parts(model, order: list[str], keys: dict[str, str]) -> dict[int, list[dict]]:
        rows = model.objects.using(using).filter(transfer_id__in=ids).order_by(*order).values(
            "transfer_id", *keys.values())
        return _grouped(ids, ({"transfer_id": row["transfer_id"], **{key: row[path] for key, path in keys.items()}}
                              for row in rows))

    legs = parts(TransferVia, ["seq", "id"], {"seq": "seq", "state": "state__iso3", "place": "place__slug",
                                             "role": "role", "mode": "mode", "claim": "claim__slug"})
    parties = parts(TransferParty, ["id"], {"role": "role", "actor": "actor__slug", "state": "state__iso3",
                                           "claim": "claim__slug"})
    breaches = parts(TransferBreach, ["id"], {"regime": "regime__slug", "claim": "claim__slug"})
    claims = parts(Claim, ["id"], {
        "slug": "slug", "source": "source__slug", "quote": "quote", "stance": "stance", "claimant": "claimant__slug",
        "credibility": "credibility", "note": "note", "quantity": "quantity", "quantity_low": "quantity_low",
        "quantity_high": "quantity_high",
    })
    events = parts(TransferEvent, ["date", "id"], {
        "status": "status", "date": "date", "date_to": "date_to", "date_precision": "date_precision",
        "quantity": "quantity", "note": "note", "claim": "claim__slug",
    })
    built = {}
    for row in transfers:
        pk = row["id"]
        route = legs[pk]
        its_claims = claims[pk]
        its_events = [_event(event) for event in events[pk]]
        contested = claims_contested(its_claims)
        value = None
        if row["value_amount"] is not None:
            value = {"amount": row["value_amount"], "currency": row["value_currency"], "year": row["value_year"],
                     "claim": row["value_claim"]}
        first_reported = row["first_reported"]
        document = {
            **{key: row[key] for key in _TRANSFER_VALUES if key in TRANSFER_FIELDS},
            "first_reported": first_reported.isoformat() if first_reported else None,
            "quantity_ordered": row["quantity"], "deliveries": deliveries(its_events), "route": route,
            "via": [leg["state"] for leg in route if leg["role"] in TRANSIT_ROLES and leg["state"]],
            "via_regions": [leg["place"] for leg in route if leg["role"] in TRANSIT_ROLES and leg["place"]],
            "parties": parties[pk],
            "value": value,
            "breaches": breaches[pk],
            "sanctioned": row["sanctioned"], "contested": contested, "reviewed": row["reviewed_at"] is not None,
            "claims": its_claims, "events": its_events,
        }
        text = _names(
            row["description"], row["supplier_name"], row["recipient_name"], row["supplier_actor_name"],
            row["recipient_actor_name"], row["materiel_name"], *(row[key] for key in _SEARCH_VALUES),
            *(c["quote"] for c in its_claims),
        )
        built[pk] = Built({key: document[key] for key in TRANSFER_FIELDS}, contested, row["sanctioned"],
                          "\n".join(text))
    return built


# The row keys besides the document: the version (the ETag) and every field a list may be ordered by
# (TransferFilter's ordering), which the pagination's cursor reads from the row.
ROW_KEYS = ("id", "version", "first_reported", "quantity", "status", "created_at", "updated_at")


def document_rows() -> QuerySet:
    """Transfers as rows of ROW_KEYS and their ``document``, as the JSON text stored: what lists and
    details read, and pass into their pages as it is (transfers.api.views), never parsed and written
    again per request.

    The record is joined one-to-one on the transfer's primary key, so that any filter and keyset
    order on the transfer (and its indexes) serve the page, which reads the documents alone."""
    return Transfer.objects.filter(record__isnull=False).values(
        *ROW_KEYS, document=Cast("record__document", output_field=TextField()))

