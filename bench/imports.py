#!/usr/bin/env python
"""The import rate alone: ``import_transfers_csv`` (COPY + history) into a database of synthetic transfers.

    .venv/bin/python bench/imports.py --transfers 100000 --rows 100000 --repeat 3

A smaller sibling of bench/run.py for machines where the full benchmark (1M transfers, HTTP phase)
does not fit: it prepares the database the same way (bench/run.py's helpers), runs an untimed
warm-up import of a tenth of the rows, then ``--repeat`` timed imports of ``--rows`` rows, each
rolled out again and vacuumed so that each starts from the same table, and prints each rate and
the median. With ``--orm-rows`` it also times ``bulk_create_with_history`` (bench.orm_import), the
library's own path, for comparison.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import DEFAULT_DB, delete_imported, ensure_database, import_csv, log, server_env, vacuum  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transfers", type=int, default=100_000, help="synthetic transfers already stored")
    parser.add_argument("--rows", type=int, default=100_000, help="rows per timed import")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--orm-rows", type=int, default=0, help="rows for bulk_create_with_history (0: skip)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    args = parser.parse_args()

    ensure_database(args.database_url)
    os.environ.update(server_env(args.database_url))
    import django

    django.setup()
    import secrets

    from django.core.management import call_command
    from django.db import connection

    from bench.synthetic import synthetic_present
    from transfers.services.imports import import_transfers_csv

    call_command("migrate", verbosity=0, interactive=False)
    if not synthetic_present(seed=args.seed, transfers=args.transfers):
        call_command("generate_synthetic", transfers=args.transfers, seed=args.seed, replace=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    prefix = f"bench-import-{secrets.token_hex(3)}-"
    text = import_csv(args.rows, prefix)
    warm_up = "\n".join(text.splitlines()[: args.rows // 10 + 1]) + "\n"
    try:
        import_transfers_csv(file=io.StringIO(warm_up), reason="benchmark warm-up")
    finally:
        delete_imported(prefix)
    vacuum(args.database_url)
    rates = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        try:
            import_transfers_csv(file=io.StringIO(text), reason="benchmark")
            seconds = time.perf_counter() - started
        finally:
            delete_imported(prefix)
        vacuum(args.database_url)
        rates.append(args.rows / seconds)
        log(f"import (COPY + history): {args.rows:,} rows in {seconds:.2f}s = {args.rows / seconds:,.0f} rows/s")
    log(f"median over {args.repeat}: {statistics.median(rates):,.0f} rows/s "
        f"({args.transfers:,} transfers stored, {os.cpu_count()} CPUs)")
    if args.orm_rows:
        from bench.orm_import import import_with_orm

        orm_text = "\n".join(text.splitlines()[: args.orm_rows + 1]) + "\n"
        started = time.perf_counter()
        try:
            import_with_orm(file=io.StringIO(orm_text), reason="benchmark")
            seconds = time.perf_counter() - started
        finally:
            delete_imported(prefix)
        vacuum(args.database_url)
        log(f"import (bulk_create_with_history): {args.orm_rows:,} rows in {seconds:.2f}s = "
            f"{args.orm_rows / seconds:,.0f} rows/s")


if __name__ == "__main__":
    main()
