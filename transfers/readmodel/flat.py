"""Transfers' documents as CSV rows: one flat shape for the export, from the same documents the
API shows (nested values become text; renderers.csv_cell joins lists with ";"). Each record keeps
its line (``TransferRecord.csv_line``), written with its document."""

from transfers.api.renderers import csv_text

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


def csv_line(document: dict) -> str:
    """A document as its line of the CSV export (formulas neutralised), kept in its record so that
    an export streams stored text rather than decoding and flattening a million documents."""
    return csv_text([csv_row(document)])
