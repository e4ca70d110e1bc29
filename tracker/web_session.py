"""Session settings of every PostgreSQL connection a web worker opens (tracker/wsgi.py connects
``configure`` to ``connection_created``); management commands keep the server's defaults.

- ``statement_timeout``: settings.WEB_STATEMENT_TIMEOUT_MS, so that one runaway query (a search for
  a word in every record) cannot hold a worker and the database for minutes; the API answers 503.
- ``max_parallel_workers_per_gather = 0``: the API's queries read a page of rows each. Starting
  parallel workers for them cost more than the query (measured at 1M transfers: the related-records
  query took 25 ms with two workers, 9 ms without), and on a small machine the workers only compete
  with the other requests for the same cores.
"""

from django.conf import settings


def session_settings() -> dict[str, str]:
    """The settings a web worker's PostgreSQL session runs with (bench/run.py times its raw SQL with
    the same)."""
    values = {"max_parallel_workers_per_gather": "0"}
    if settings.WEB_STATEMENT_TIMEOUT_MS > 0:
        values["statement_timeout"] = f"{settings.WEB_STATEMENT_TIMEOUT_MS}ms"
    return values


def configure(sender, connection, **kwargs):
    """Apply ``session_settings()`` to a new PostgreSQL connection (one statement)."""
    if connection.vendor != "postgresql":
        return
    values = session_settings()
    calls = ", ".join("set_config(%s, %s, false)" for _ in values)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {calls}", [item for pair in values.items() for item in pair])
