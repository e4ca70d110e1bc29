"""For comparison only: the import written with simple-history's ``bulk_create_with_history``.

The product imports with COPY (transfers.services.imports); this is the library's own path, which
builds a model instance per row, kept here so the benchmark can show what COPY saves. Rows are
checked by the product's validator first, so both write the same rows.
"""

from typing import IO

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from transfers.models import Transfer, TransferParty, TransferVia
from transfers.services.imports import ImportRejected, _Validator, read_csv


def import_with_orm(*, file: IO[str], user=None, reason: str = "Bulk import", using: str = "default") -> int:
    validator = _Validator(using)
    rows = [row for row in (validator.row(line, raw) for line, raw in read_csv(file)) if row is not None]
    if validator.errors:
        raise ImportRejected(validator.errors, validator.error_count)
    with transaction.atomic(using=using):
        created = bulk_create_with_history(
            [Transfer(**row.values) for row in rows], Transfer, batch_size=2_000,
            default_user=user, default_change_reason=reason,
        )
        routes = [TransferVia(transfer_id=t.pk, seq=seq, state_id=state, place_id=place, role=role, mode=mode)
                  for t, row in zip(created, rows, strict=True) for seq, state, place, role, mode in row.legs]
        parties = [TransferParty(transfer_id=t.pk, role=role, number=number, actor_id=actor, state_id=state)
                   for t, row in zip(created, rows, strict=True) for role, number, actor, state in row.parties]
        for model, records in ((TransferVia, routes), (TransferParty, parties)):
            if records:
                bulk_create_with_history(records, model, batch_size=2_000, default_user=user,
                                         default_change_reason=reason)
    return len(created)
