"""Session settings of every PostgreSQL connection a web worker opens (tracker/wsgi.py connects
``configure`` to ``connection_created``); management commands keep the server's defaults.

- ``statement_timeout``: settings.WEB_STATEMENT_TIMEOUT_MS, so that one runaway query (a search for
  a word in every record) cannot hold a worker and the database for minutes; the API answers 503.
- ``max_parallel_workers_per_gather = 0``: the API's queries read a page of rows each. Starting
  parallel workers for them cost more than the query (measured at 1M transfers: the related-records
  query took 25 ms with two workers, 9 ms without), and on a small machine the workers only compete
  with the other requests for the same cores.
- ``work_mem``: settings.WEB_WORK_MEM (default 32MB). A search tests each row against the ids
  matching a word, held in a hash table when the planner expects it to fit in work_mem (times
  hash_mem_multiplier); when it does not, PostgreSQL searches a list for every row instead. With the
  server's 4MB, ``q=rounds`` (210k matches at 1M) took 8.3 s that way, and 0.95 s with 16MB; a
  word in every record takes 2.9 s with 32MB. It is an upper bound per sort or hash, used only by
  the queries that need it.
"""

from django.conf import settings


def session_settings() -> dict[str, str]:
    """The settings a web worker's PostgreSQL session runs with (bench/run.py times its raw SQL with
    the same)."""
    values = {"max_parallel_workers_per_gather": "0", "work_mem": settings.WEB_WORK_MEM}
    if settings.WEB_STATEMENT_TIMEOUT_MS > 0:
        values["statement_timeout"] = f"{settings.WEB_STATEMENT_TIMEOUT_MS}ms"
    return values


def apply(cursor):
    """Set ``session_settings()`` through a DB-API cursor (Django's or psycopg2's), in one statement."""
    values = session_settings()
    calls = ", ".join("set_config(%s, %s, false)" for _ in values)
    cursor.execute(f"SELECT {calls}", [item for pair in values.items() for item in pair])


def configure(sender, connection, **kwargs):
    """Apply ``session_settings()`` to a new PostgreSQL connection."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        apply(cursor)
