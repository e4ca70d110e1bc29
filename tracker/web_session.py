"""Session settings of every PostgreSQL connection a web worker opens. gunicorn.conf.py marks the
web process (WEB_PROCESS=true), and settings.py then passes these to libpq as the connection's
``options``, so that PostgreSQL applies them as it opens the session: no statement of their own, no
code run at import time. Management commands keep the server's defaults.

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

Plain Python, no Django: settings.py imports it.
"""

import re


def session_settings(*, statement_timeout_ms: int, work_mem: str) -> dict[str, str]:
    """The settings a web worker's PostgreSQL session runs with (bench/run.py times its raw SQL with
    the same); a timeout of 0 leaves the server's default."""
    if not re.fullmatch(r"[0-9]+\s*(kB|MB|GB)?", work_mem):
        raise ValueError(f"WEB_WORK_MEM={work_mem!r}: a size such as 32MB.")
    values = {"max_parallel_workers_per_gather": "0", "work_mem": work_mem.replace(" ", "")}
    if statement_timeout_ms > 0:
        values["statement_timeout"] = f"{statement_timeout_ms}ms"
    return values


def libpq_options(values: dict[str, str]) -> str:
    """``values`` as libpq's ``options`` connection parameter: ``-c name=value ...``."""
    return " ".join(f"-c {name}={value}" for name, value in values.items())
