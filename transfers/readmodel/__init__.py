"""The transfer read model (models/records.py): keeping each transfer's document equal to what
building it from the curated tables gives.

Every write path passes through here:
- a transfer, or a part of one (claim, timeline step, route leg, party, breach), saved or deleted
  one at a time (services, the admin, the API, ``loaddata``): the receivers in
  ``transfers.readmodel.receivers`` call ``changed`` with its transfer's id, in the writer's
  transaction;
- a reference a document shows (a State's, actor's, materiel's, place's, source's or regime's code
  or name, a designation) renamed or changed: ``changed`` with the transfers that show it;
- bulk writers (CSV imports, the synthetic generator): ``refresh`` of their new ids, or ``rebuild``;
- the services (transfers.services) write within ``batched``: the receivers' refreshes wait for the
  end of the service's transaction, so that each transfer it touched is built once.

``tests/test_read_model.py`` proves, after every kind of write, that the records equal a rebuild.
"""

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice

from django.db import connections, transaction

from transfers.models import FacetTally, Transfer, TransferRecord, TransferWords

from . import search, summary
from .documents import TRANSFER_FIELDS, Built, build
from .flat import csv_line

BATCH_SIZE = 2000

__all__ = ["BATCH_SIZE", "TRANSFER_FIELDS", "batched", "build", "changed", "expected", "rebuild", "refresh", "stale",
           "stored"]

# Per thread and database: the ids of the transfers changed within the outermost ``batched`` block.
_pending = threading.local()


def _batches(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    iterator = iter(ids)
    while batch := list(islice(iterator, size)):
        yield batch


def refresh(*, ids: Iterable[int], using: str = "default") -> int:
    """Rebuild the records of the transfers ``ids`` (those that exist; a deleted transfer's record
    went with it, and was counted out of the summary), in one transaction. Per
    BATCH_SIZE transfers: seven queries, an upsert, and the search words' insert and update; then the
    summary moved, once, from what the previous records counted to what the new ones count. Returns
    how many were written."""
    counts: summary.Counts = {}
    with transaction.atomic(using=using):
        written = _write(ids, counts, using)
        summary.add(counts, using=using)
    return written


def _write(ids: Iterable[int], counts: "summary.Counts", using: str) -> int:
    """Write the records of ``ids``, adding what that does to the summary to ``counts``."""
    written = 0
    postgres = connections[using].vendor == "postgresql"
    for batch in _batches(sorted(set(ids)), BATCH_SIZE):
        built = build(batch, using=using)
        if not built:
            continue
        records = [
            TransferRecord(transfer_id=pk, document=b.document, contested=b.contested, sanctioned=b.sanctioned,
                           search_text=b.search_text, csv_line=csv_line(b.document))
            for pk, b in built.items()
        ]
        summary.merge(counts, summary.rewritten({pk: b.document for pk, b in built.items()}, using=using))
        # Upserted (not deleted and inserted): two writers may refresh the same transfer at once
        # (a State renamed while one of its transfers is saved).
        TransferRecord.objects.using(using).bulk_create(
            records, update_conflicts=True, unique_fields=["transfer"],
            update_fields=["document", "contested", "sanctioned", "search_text", "csv_line", "updated_at"],
        )
        if postgres:
            search.index_postgresql(list(built), using=using)
        else:
            search.index_sqlite({pk: b.search_text for pk, b in built.items()}, using=using)
        written += len(built)
    return written


def changed(*, ids: Iterable[int], using: str = "default") -> None:
    """What the receivers call when these transfers' documents may have changed: refresh them now, or
    at the end of the enclosing ``batched`` block."""
    pending = getattr(_pending, using, None)
    if pending is None:
        refresh(ids=ids, using=using)
    else:
        pending.update(ids)


@contextmanager
def batched(using: str = "default"):
    """An atomic block (usable as a decorator) whose writes refresh the read model once, at its end
    and within its transaction, rather than once per row saved: a transfer created with its claims,
    timeline and route is built once, not once per part. Nested blocks leave it to the outermost.
    When an exception leaves the block, its transaction rolls back and nothing is refreshed."""
    with transaction.atomic(using=using):
        if getattr(_pending, using, None) is not None:
            yield
            return
        setattr(_pending, using, set())
        try:
            yield
            ids = getattr(_pending, using)
        finally:
            setattr(_pending, using, None)
        if ids:
            refresh(ids=ids, using=using)


def rebuild(*, using: str = "default", log=None) -> int:
    """Every record built afresh from the curated tables (``manage.py rebuild_read_model``)."""
    with transaction.atomic(using=using):
        TransferRecord.objects.using(using).all().delete()
        TransferWords.objects.using(using).all().delete()
        FacetTally.objects.using(using).all().delete()
        if connections[using].vendor != "postgresql":
            search.clear_sqlite(using=using)
        ids = list(Transfer.objects.using(using).order_by("pk").values_list("pk", flat=True))
        written = 0
        counts: summary.Counts = {}
        for batch in _batches(ids, BATCH_SIZE * 5):
            written += _write(batch, counts, using)
            if log:
                log(f"{written:,} records")
        summary.add(counts, using=using)
        if connections[using].vendor == "postgresql":
            # Every row rewritten: without fresh statistics the planner guesses how many records
            # a search matches, and may walk the list order testing each one.
            with connections[using].cursor() as cursor:
                for model in (TransferRecord, TransferWords, FacetTally):
                    cursor.execute(f"ANALYZE {connections[using].ops.quote_name(model._meta.db_table)}")
    return written


def stored(*, using: str = "default", ids: Iterable[int] | None = None) -> dict[int, tuple]:
    """The records as stored (of ``ids``, else all): id -> [document, contested, sanctioned, csv_line]."""
    records = TransferRecord.objects.using(using)
    if ids is not None:
        records = records.filter(pk__in=list(ids))
    return {pk: rest for pk, *rest in records.values_list("transfer_id", "document", "contested", "sanctioned",
                                                          "csv_line")}


def expected(built: dict[int, Built]) -> dict[int, tuple]:
    """What ``stored`` should give for these built records."""
    return {pk: [b.document, b.contested, b.sanctioned, csv_line(b.document)] for pk, b in built.items()}


def stale(*, using: str = "default") -> list[int]:
    """The ids of transfers whose stored record differs from a fresh build (or is missing), a batch at a
    time, or whose search words carry another list key than the transfer's."""
    ids = list(Transfer.objects.using(using).order_by("pk").values_list("pk", flat=True))
    differing = []
    for batch in _batches(ids, BATCH_SIZE):
        found = stored(using=using, ids=batch)
        for pk, b in build(batch, using=using).items():
            if found.get(pk) != expected({pk: b})[pk]:
                differing.append(pk)
    return sorted(set(differing) | set(search.stale_keys(using=using)))
