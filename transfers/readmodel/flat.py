"""Transfers' documents as CSV rows: one flat shape for the export, from the same documents the
API shows (nested values become text; renderers.csv_cell joins lists with ";")."""

from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import islice

from .documents import TRANSFER_FIELDS

# A transfer's fields, with its claims as a count and their sources, and its timeline as
# "status date" steps.
TRANSFER_CSV_COLUMNS = [*TRANSFER_FIELDS[: TRANSFER_FIELDS.index("claims")], "claims", "sources", "events"]
_PLAIN = TRANSFER_CSV_COLUMNS[: TRANSFER_CSV_COLUMNS.index("claims")]


def _leg_text(leg: dict) -> str:
    """``2:transit:SYR+tartus:sea`` (seq, role, State and/or place, mode): the import's route syntax."""
    where = "+".join(part for part in (leg["state"], leg["place"]) if part)
    return f"{leg['seq']}:{leg['role']}:{where}:{leg['mode']}"


def csv_row(document: dict) -> list:
    """A document as the values of TRANSFER_CSV_COLUMNS."""
    value = document["value"]
    flat = {
        **document,
        "deliveries": [f"{d['year']}:{d['quantity']}" for d in document["deliveries"]],
        "route": [_leg_text(leg) for leg in document["route"]],
        "parties": [f"{p['role']}:{p['actor'] or p['state']}" for p in document["parties"]],
        "value": f"{value['amount']} {value['currency']} {value['year'] or ''}".strip() if value else None,
        "breaches": [b["regime"] for b in document["breaches"]],
    }
    claims = document["claims"]
    return [*(flat[name] for name in _PLAIN), len(claims), sorted({c["source"] for c in claims}),
            [f"{e['status']} {e['date_display']}" for e in document["events"]]]


def csv_chunks(documents: Iterable[dict], chunk_size: int) -> Iterator[Callable[[], list[list]]]:
    """Documents, in their order, ``chunk_size`` at a time: for each chunk, a function returning its
    CSV rows. The functions use no database, so another thread may run them while this one fetches
    the next chunk (renderers.csv_text_overlapped); memory stays flat however many rows stream."""
    iterator = iter(documents)
    while chunk := list(islice(iterator, chunk_size)):
        yield partial(_rows, chunk)


def _rows(chunk: list[dict]) -> list[list]:
    return [csv_row(document) for document in chunk]
