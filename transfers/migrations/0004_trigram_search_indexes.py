"""Trigram GIN indexes for the ``q`` text search, on PostgreSQL only.

Django compiles ``icontains`` on PostgreSQL to ``UPPER(col::text) LIKE UPPER('%term%')``; an index
serves it only when it is built on that same expression, so each index is on ``UPPER(col)`` with
``gin_trgm_ops`` (the ``::text`` cast is a no-op for these text and varchar columns). SQLite has
neither pg_trgm nor GIN, and its LIKE scan is fine at the sizes SQLite is used for, so there the
migration does nothing.
"""

from django.db import migrations

# (index name, table, column): the columns ?q= searches.
TRIGRAM_INDEXES = [
    ("transfer_description_trgm", "transfers_transfer", "description"),
    ("materiel_name_trgm", "transfers_materiel", "name"),
    ("actor_name_trgm", "transfers_actor", "name"),
    ("claim_quote_trgm", "transfers_claim", "quote"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (UPPER("{column}") gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("transfers", "0003_backfill_transfer_category")]

    operations = [migrations.RunPython(create, drop)]
