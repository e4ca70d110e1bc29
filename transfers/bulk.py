"""Bulk writes at analyst scale: ``COPY`` on PostgreSQL, batched ``INSERT`` elsewhere.

``bulk_create`` builds a model instance per row and an ``INSERT`` with a parameter per value; at a
million rows that is most of the time spent. ``COPY ... FROM STDIN`` streams rows in PostgreSQL's
text format instead. Callers pass database-ready values by column (``attname``), allocate primary
keys up front with :func:`allocate_ids` so that they can link rows across tables, and own the
transaction. Nothing here sends signals or writes history: callers that need an audit trail write
the historical rows themselves (see ``transfers.services.imports``).
"""

import io
import json
from collections.abc import Iterable, Sequence

from django.db import connections
from django.db.models import JSONField, Max, Model

# COPY text format: backslash, tab, newline and carriage return are the characters to escape.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_CHUNK_ROWS = 50_000


def _copy_cell(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        # Most values have nothing to escape; four `in` tests cost a twentieth of a translate().
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_COPY_ESCAPES)
        return value
    return str(value)


def allocate_ids(model: type[Model], count: int, *, using: str = "default") -> list[int]:
    """Reserve ``count`` primary keys for ``model`` (from its sequence on PostgreSQL)."""
    if count == 0:
        return []
    connection = connections[using]
    table = model._meta.db_table
    pk = model._meta.pk.column
    if connection.vendor == "postgresql":
        # nextval() is safe against concurrent writers; the ids need not be contiguous.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
    # SQLite serialises writers: the caller's transaction holds the write lock once it inserts.
    start = (model._base_manager.using(using).aggregate(top=Max("pk"))["top"] or 0) + 1
    return list(range(start, start + count))


def copy_text_line(values: Sequence) -> str:
    """One row in COPY's text format, newline included: the only unescaped newline is the last."""
    return "\t".join(map(_copy_cell, values)) + "\n"


def copy_text(connection, table: str, columns: Sequence[str], text: str):
    """``COPY`` rows already in COPY's text format (``copy_text_line``) into ``table`` (PostgreSQL only)."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        # cursor.cursor: the psycopg2 cursor under Django's wrapper. One read of the whole text (not
        # 8 kB at a time): psycopg2 takes the GIL for every read, which another busy Python thread
        # (an import's checking thread) would make wait.
        sql = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
        cursor.cursor.copy_expert(sql, io.StringIO(text), size=max(len(text), 8192))


def copy_rows(connection, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """``COPY`` rows into ``table`` (PostgreSQL only); returns the number of rows written."""
    written = 0
    buffer: list[str] = []
    for row in rows:
        buffer.append(copy_text_line(row))
        written += 1
        if len(buffer) >= COPY_CHUNK_ROWS:
            copy_text(connection, table, columns, "".join(buffer))
            buffer.clear()
    if buffer:
        copy_text(connection, table, columns, "".join(buffer))
    return written


def _dump_json(row: Sequence, positions: list[int]) -> list:
    row = list(row)
    for i in positions:
        row[i] = json.dumps(row[i])
    return row


def bulk_insert(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence], *, using: str = "default") -> int:
    """Insert rows of database-ready values into ``model``'s table; returns the number of rows.

    ``columns`` are field attnames (``supplier_id``, not ``supplier``). On PostgreSQL the values go
    through ``COPY``; elsewhere each value is prepared by its field and inserted in batches.
    """
    connection = connections[using]
    table = model._meta.db_table
    fields = [model._meta.get_field(c) for c in columns]
    db_columns = [f.column for f in fields]
    if connection.vendor == "postgresql":
        json_at = [i for i, f in enumerate(fields) if isinstance(f, JSONField)]
        if json_at:
            rows = (_dump_json(row, json_at) for row in rows)
        return copy_rows(connection, table, db_columns, rows)
    quoted = ", ".join(connection.ops.quote_name(c) for c in db_columns)
    # Identifiers come from model metadata and are quoted; values are parameters.
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})"  # noqa: S608
    written = 0
    batch: list[list] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append([f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)])
            if len(batch) >= 5_000:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written
