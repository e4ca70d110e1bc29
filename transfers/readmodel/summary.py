"""The read model's summary: transfers counted by every two of their facets (``FacetTally``).

Each transfer's document has one value of each facet in ``DIMENSIONS`` (its supplier's code, its
year, its contested flag...). The summary holds, for every ordered pair of facets (supplier, year)
and every pair of values seen together (RUS, 2022), how many transfers have both and their known
quantities. The facets of a selection made on one facet (``?supplier=RUS``: its recipients, years,
categories...) and any one- or two-way trend table of every transfer are read from these rows
(``transfers.aggregates``) rather than counted over the transfers.

It is derived from the records alone: ``refresh`` (``transfers.readmodel``) adds what a batch's new
documents count and takes away what their previous documents counted, in the same transaction; a
deleted transfer's record is counted out before it goes (``counted_out``). ``recount`` counts it afresh
from the stored records, and the read model's tests prove the two equal after every kind of write.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import permutations

from django.db import connections
from django.db.models import F, Q

from transfers.models import FacetTally, TransferRecord

# The facets the summary counts by, as the documents hold them.
DIMENSIONS = ("supplier", "recipient", "category", "status", "year", "contested", "sanctioned")
MEASURES = ("transfers", "quantity_ordered", "ordered_known", "quantity_delivered", "delivered_known")
KEY_FIELDS = ("facet", "value", "by", "by_value")

# What a document gives the summary: its keys' values, then its quantities.
_DOCUMENT_KEYS = ("supplier", "recipient", "category", "status", "first_reported", "contested", "sanctioned",
                  "quantity_ordered", "quantity_delivered")

Key = tuple[str, str, str, str]
Counts = dict[Key, list[int]]  # key -> MEASURES


def values_of(row: dict) -> dict[str, str]:
    """A document's value of each facet, as text: "" for an unknown party or an undated transfer."""
    reported = row["first_reported"]
    return {
        "supplier": row["supplier"] or "", "recipient": row["recipient"] or "", "category": row["category"] or "",
        "status": row["status"] or "", "year": str(reported)[:4] if reported else "",
        "contested": _flag(row["contested"]), "sanctioned": _flag(row["sanctioned"]),
    }


def _flag(value: bool) -> str:
    return "true" if value else "false"


def counted(rows: Iterable[dict], sign: int = 1) -> Counts:
    """What these documents (dicts of at least ``_DOCUMENT_KEYS``) add to the summary: key -> measures."""
    counts: Counts = defaultdict(lambda: [0] * len(MEASURES))
    for row in rows:
        values = values_of(row)
        ordered, delivered = row["quantity_ordered"], row["quantity_delivered"]
        measures = (sign, sign * (ordered or 0), sign * (ordered is not None), sign * (delivered or 0),
                    sign * (delivered is not None))
        for facet, by in permutations(DIMENSIONS, 2):
            cell = counts[(facet, values[facet], by, values[by])]
            for i, measure in enumerate(measures):
                cell[i] += measure
    return counts


def _stored_documents(ids: Iterable[int] | None, using: str, *, lock: bool = False) -> Iterator[dict]:
    """The summary's keys of the stored records (of ``ids``, else all, a chunk at a time), read out of
    their documents; ``lock``: with the records' rows locked, in primary-key order."""
    records = TransferRecord.objects.using(using).order_by()
    if ids is not None:
        records = records.filter(pk__in=list(ids))
    if lock:
        _check_references(using)
        records = records.select_for_update().order_by("pk")
    rows = records.values_list(*(F(f"document__{key}") for key in _DOCUMENT_KEYS))  # each decoded from JSON
    for row in rows.iterator(chunk_size=5000) if ids is None else rows:
        yield dict(zip(_DOCUMENT_KEYS, row, strict=True))


def _check_references(using: str) -> None:
    """Check now the foreign keys of the rows this transaction wrote (PostgreSQL defers the checks of
    Django's constraints to the commit), so that the rows they refer to are key-locked before the
    records are, never after.

    Lock order: a rename of a State (an actor, a source...) holds its row, then locks the records of
    the transfers that show it. A write of one of those transfers that names it (a route leg through
    the State, a claim by the actor) would otherwise lock the transfer's record and then, at its
    commit, wait on the renamed row: each waiting for the other, a deadlock. SQLite has one writer at a
    time and nothing to order."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        connection.check_constraints()  # SET CONSTRAINTS ALL IMMEDIATE, then back to DEFERRED


def rewritten(documents: dict[int, dict], *, using: str = "default") -> Counts:
    """What rewriting the records of these transfers with ``documents`` (id -> document) does to the
    summary: what their stored records count taken away, what the new documents count added. Read
    before the records are written (their rows locked until the transaction ends, so that two writers
    of the same transfer take turns); ``add`` it after."""
    return merge(counted(_stored_documents(documents, using, lock=True), sign=-1), counted(documents.values()))


def merge(counts: Counts, more: Counts) -> Counts:
    """``more`` added into ``counts`` (which it returns)."""
    for key, cell in more.items():
        total = counts.get(key)
        counts[key] = cell if total is None else [a + b for a, b in zip(total, cell, strict=True)]
    return counts


def add(counts: Counts, *, using: str = "default") -> None:
    """Add ``counts`` to the summary's rows. The missing rows are created first, in key order (empty,
    beside any a concurrent writer creates), then the rows of the pairs of facets and values touched
    are locked in primary-key order, moved, and written back. A row that comes to count no transfer
    stays, at 0 (readers leave it out; ``rebuild`` clears it): deleting it could lose a concurrent
    writer's count, which found the row there and so did not create it.

    Lock order: a write path moves the tallies (transfers.tallies) before the summary, so that two
    writers never wait on each other's rows the other way round."""
    counts = {key: cell for key, cell in counts.items() if any(cell)}
    if not counts:
        return
    rows = FacetTally.objects.using(using)
    rows.bulk_create(
        [FacetTally(**dict(zip(KEY_FIELDS, key, strict=True))) for key in sorted(counts) if counts[key][0] > 0],
        ignore_conflicts=True, batch_size=5000,
    )
    touched: dict[tuple[str, str], tuple[set, set]] = defaultdict(lambda: (set(), set()))
    for facet, value, by, by_value in counts:
        touched[(facet, by)][0].add(value)
        touched[(facet, by)][1].add(by_value)
    condition = Q(pk__in=[])
    for (facet, by), (values, by_values) in touched.items():
        condition |= Q(facet=facet, by=by, value__in=values, by_value__in=by_values)
    moved = []
    locked = rows.select_for_update().filter(condition).order_by("pk")  # a superset of the keys' rows
    for _, *key_and_measures in locked.values_list("pk", *KEY_FIELDS, *MEASURES):
        key, measures = tuple(key_and_measures[:4]), key_and_measures[4:]
        cell = counts.get(key)
        if cell is not None:  # written back as an upsert of the key (no primary key: it conflicts on the key)
            totals = {name: value + delta for name, value, delta in zip(MEASURES, measures, cell, strict=True)}
            moved.append(FacetTally(**dict(zip(KEY_FIELDS, key, strict=True)), **totals))
    rows.bulk_create(moved, update_conflicts=True, unique_fields=["facet", "by", "value", "by_value"],
                     update_fields=list(MEASURES), batch_size=5000)


def counted_out(ids: Iterable[int], *, using: str = "default") -> Counts:
    """What the stored records of ``ids`` count, taken away, read with their rows locked (a concurrent
    refresh or deletion of the same transfers waits, then reads what this one leaves): before their
    transfers are deleted, ``add`` it after."""
    return counted(_stored_documents(ids, using, lock=True), sign=-1)


def stored(*, using: str = "default") -> Counts:
    """The summary as stored: key -> measures."""
    return {
        (row[0], row[1], row[2], row[3]): list(row[4:])
        for row in FacetTally.objects.using(using).filter(transfers__gt=0).values_list(*KEY_FIELDS, *MEASURES)
    }


def recount(*, using: str = "default") -> Counts:
    """The summary counted afresh from the stored records: what ``stored`` should give."""
    return {key: cell for key, cell in counted(_stored_documents(None, using)).items() if cell[0]}


def rebuild(*, using: str = "default") -> None:
    """The summary counted afresh from the stored records (after a bulk delete past the signals), its
    rows at 0 cleared."""
    FacetTally.objects.using(using).all().delete()
    add(recount(using=using), using=using)
