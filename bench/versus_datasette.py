#!/usr/bin/env python
"""Side by side: the transfer API (gunicorn on PostgreSQL, as bench/run.py starts it) against
Datasette serving an SQLite copy of the same transfers, on the same queries, interleaved in one run.

    .venv/bin/pip install -r bench/requirements.txt      # Datasette: the benchmark's, not the product's
    .venv/bin/python bench/versus_datasette.py                              # 1,000,000 transfers
    .venv/bin/python bench/versus_datasette.py --transfers 10000 --database-url postgres://...

It prepares the PostgreSQL database as bench/run.py does (synthetic data unless the same size and
seed are there), exports the transfers into an SQLite file with what a Datasette user would add --
the rows flattened with their States' codes and names and the materiel's, an index per filter the
queries use (with the sort column), and an FTS5 table over the text -- unless that file already
holds this database's rows, then serves the file with Datasette (immutable, as ``datasette publish``
does) and the API with gunicorn, both on loopback ports. For each query, alternately one request to
each: p50/p95 of sequential requests; then with ``--clients`` concurrent clients, each side in
turn: requests/s and the CPU each request took (the gunicorn workers plus their PostgreSQL backends;
Datasette's one process, SQLite running inside it), from /proc. Last, the full CSV export of each.
Datasette is asked not to count or facet (``_nocount``, ``_nofacet``): the API does neither.
Figures go to stdout and bench/out/versus_datasette.json.
"""

import argparse
import http.client
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402 - after the checkout is on the path
    API,
    DEFAULT_DB,
    OUT,
    Server,
    ensure_database,
    free_port,
    get,
    log,
    machine,
    percentile,
    pick_parameters,
    server_env,
)

TICK = os.sysconf("SC_CLK_TCK")
SQLITE_COLUMNS = [
    ("id", "INTEGER PRIMARY KEY"), ("slug", "TEXT"), ("supplier", "TEXT"), ("supplier_name", "TEXT"),
    ("recipient", "TEXT"), ("recipient_name", "TEXT"), ("materiel", "TEXT"), ("materiel_name", "TEXT"),
    ("category", "TEXT"), ("quantity", "INTEGER"), ("quantity_delivered", "INTEGER"), ("status", "TEXT"),
    ("covert", "INTEGER"), ("first_reported", "TEXT"), ("description", "TEXT"),
]
EXPORT_SQL = """
    SELECT t.id, t.slug, s.iso3, s.name, r.iso3, r.name, m.slug, m.name, t.category, t.quantity,
           t.quantity_delivered, t.status, t.covert::int, t.first_reported::text, t.description
    FROM transfers_transfer t
    LEFT JOIN transfers_state s ON s.id = t.supplier_id
    LEFT JOIN transfers_state r ON r.id = t.recipient_id
    JOIN transfers_materiel m ON m.id = t.materiel_id
    ORDER BY t.id
"""
# What a Datasette user serving this table would add (sqlite-utils create-index / enable-fts): an
# index per filter with the sort column after it, and full-text search over the text columns.
SQLITE_INDEXES = [
    "CREATE INDEX transfers_first_reported ON transfers (first_reported)",
    "CREATE INDEX transfers_pair ON transfers (supplier, recipient, first_reported)",
    "CREATE INDEX transfers_category ON transfers (category, first_reported)",
    "CREATE INDEX transfers_recipient ON transfers (recipient, first_reported)",
]
FTS_COLUMNS = ["description", "materiel_name", "supplier_name", "recipient_name"]


# -- the SQLite copy -------------------------------------------------------------------------------------


def export_sqlite(database_url: str, path: Path) -> dict:
    """The transfers into ``path`` (rebuilt unless it holds as many rows as PostgreSQL, up to the same
    newest change); returns its row count and how long building it took."""
    import psycopg2

    source = psycopg2.connect(database_url)
    with source.cursor() as cursor:
        cursor.execute("SELECT count(*), max(updated_at)::text FROM transfers_transfer")
        total, newest = cursor.fetchone()
    stamp = f"{total}|{newest}"
    if path.exists():
        with sqlite3.connect(path) as existing:
            try:
                if existing.execute("SELECT value FROM bench_meta WHERE key = 'stamp'").fetchone() == (stamp,):
                    source.close()
                    return {"rows": total, "seconds": 0.0, "reused": True}
            except sqlite3.Error:
                pass
        path.unlink()
    started = time.perf_counter()
    target = sqlite3.connect(path)
    target.execute("PRAGMA journal_mode = OFF")
    target.execute("PRAGMA synchronous = OFF")
    target.execute(f"CREATE TABLE transfers ({', '.join(f'{n} {t}' for n, t in SQLITE_COLUMNS)})")
    marks = ", ".join("?" for _ in SQLITE_COLUMNS)
    with source.cursor(name="versus_export") as cursor:  # a server-side cursor: flat memory
        cursor.itersize = 20_000
        cursor.execute(EXPORT_SQL)
        while rows := cursor.fetchmany(20_000):
            target.executemany(f"INSERT INTO transfers VALUES ({marks})", rows)  # noqa: S608 - fixed columns
    source.close()
    for sql in SQLITE_INDEXES:
        target.execute(sql)
    columns = ", ".join(FTS_COLUMNS)
    target.execute(f'CREATE VIRTUAL TABLE transfers_fts USING fts5({columns}, content="transfers", '
                   'content_rowid="id")')
    target.execute(f"INSERT INTO transfers_fts (rowid, {columns}) SELECT id, {columns} FROM transfers")  # noqa: S608
    target.execute("CREATE TABLE bench_meta (key TEXT PRIMARY KEY, value TEXT)")
    target.execute("INSERT INTO bench_meta VALUES ('stamp', ?)", [stamp])
    target.commit()
    target.execute("ANALYZE")
    target.execute("VACUUM")
    target.close()
    return {"rows": total, "seconds": time.perf_counter() - started, "reused": False}


class Datasette:
    """Datasette serving the SQLite copy on a free loopback port, stopped (by its own pid) on exit."""

    def __init__(self, path: Path, port: int = 0):
        self.port = port or free_port()
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv
            [str(Path(sys.executable).parent / "datasette"), "serve", "--immutable", str(path), "--host",
             "127.0.0.1", "--port", str(self.port), "--setting", "sql_time_limit_ms", "30000",
             "--setting", "max_returned_rows", "1000", "--setting", "allow_csv_stream", "on"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.database = path.stem
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if get(self.port, "/-/versions.json", timeout=2)[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("Datasette did not answer within 60s")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


# -- CPU from /proc ---------------------------------------------------------------------------------------


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU of these processes so far (those that have exited count nothing)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / TICK


def backend_pids(database_url: str) -> list[int]:
    """The PostgreSQL backends serving this database's other connections (the gunicorn workers')."""
    import psycopg2

    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
            return [row[0] for row in cursor.fetchall()]
    finally:
        connection.close()


# -- measuring ---------------------------------------------------------------------------------------------


def sequential(sides: dict, paths: dict, *, requests: int, seconds: float) -> dict:
    """Alternately one request to each side; each side's latencies."""
    latencies = {side: [] for side in sides}
    for side, port in sides.items():  # warm-up, and the answer checked once
        status, _, body, _ = get(port, paths[side])
        if status != 200:
            raise SystemExit(f"{side} {paths[side]} answered {status}: {body[:300]!r}")
    deadline = time.monotonic() + seconds
    while len(latencies["api"]) < requests and time.monotonic() < deadline:
        for side, port in sides.items():
            latencies[side].append(get(port, paths[side])[3])
    return latencies


def loaded(port: int, path: str, *, clients: int, requests: int, seconds: float, pids) -> dict:
    """``clients`` concurrent clients for at most ``requests`` requests or ``seconds``: req/s, p95 and
    the CPU per request of the processes ``pids()`` names."""
    done: list[float] = []
    lock = threading.Lock()
    processes = pids()
    cpu_before = cpu_seconds(processes)
    deadline = time.monotonic() + seconds

    def client():
        while time.monotonic() < deadline:
            with lock:
                if len(done) >= requests:
                    return
            elapsed = get(port, path)[3]
            with lock:
                done.append(elapsed)

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    cpu = cpu_seconds(processes) - cpu_before
    return {"rps": len(done) / wall, "p95_ms": percentile(done, 95) * 1000, "n": len(done),
            "cpu_ms_per_request": cpu / max(len(done), 1) * 1000}


def deep_paths(sides: dict, datasette_base: str, pages: int) -> tuple[dict, int]:
    """Page ``pages`` of the unfiltered list on each side, reached by following its next links."""
    api_path, ds_path = f"{API}?page_size=50", f"{datasette_base}&_size=50"
    reached = 1
    while reached < pages:
        api_next = json.loads(get(sides["api"], api_path)[2]).get("next")
        ds_next = json.loads(get(sides["datasette"], ds_path)[2]).get("next_url")
        if not api_next or not ds_next:
            break
        api_path = "?".join(urllib.parse.urlsplit(api_next)[2:4])
        ds_path = "?".join(urllib.parse.urlsplit(ds_next)[2:4])
        reached += 1
    return {"api": api_path, "datasette": ds_path}, reached


def export_seconds(port: int, path: str) -> dict:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    connection.request("GET", path, headers={"Accept": "text/csv"})
    response = connection.getresponse()
    size = lines = 0
    while chunk := response.read(1 << 16):
        size += len(chunk)
        lines += chunk.count(b"\n")
    connection.close()
    return {"status": response.status, "seconds": time.perf_counter() - started, "bytes": size,
            "rows": max(lines - 1, 0)}


# -- main ------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transfers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--sqlite", type=Path, default=OUT / "versus_datasette.sqlite3",
                        help="the SQLite copy (rebuilt when it does not hold this database's rows)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn sync workers")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients for requests/s")
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per query and side")
    parser.add_argument("--seconds", type=float, default=20, help="time bound per query, side and phase")
    parser.add_argument("--deep-pages", type=int, default=200, help="the deep page's number (50 rows a page)")
    parser.add_argument("--skip-export", action="store_true", help="leave out the full CSV exports")
    args = parser.parse_args()

    ensure_database(args.database_url)
    env = server_env(args.database_url)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from bench.synthetic import synthetic_present

    call_command("migrate", verbosity=0, interactive=False)
    if not synthetic_present(seed=args.seed, transfers=args.transfers):
        call_command("generate_synthetic", transfers=args.transfers, seed=args.seed, replace=True)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    p = pick_parameters()
    OUT.mkdir(exist_ok=True)
    copy = export_sqlite(args.database_url, args.sqlite)
    log(f"SQLite copy: {copy['rows']:,} transfers "
        + ("(reused)" if copy["reused"] else f"exported, indexed and FTS-indexed in {copy['seconds']:.0f}s"))

    table = f"/{args.sqlite.stem}/transfers.json?_shape=objects&_nocount=1&_nofacet=1&_sort_desc=first_reported"
    queries = {
        "list unfiltered": (f"{API}?page_size=50", f"{table}&_size=50"),
        "supplier+recipient": (f"{API}?supplier={p['supplier']}&recipient={p['recipient']}&page_size=50",
                               f"{table}&supplier={p['supplier']}&recipient={p['recipient']}&_size=50"),
        "category+dates": (
            f"{API}?category=uav&reported_after=2020-01-01&reported_before=2021-12-31&page_size=50",
            f"{table}&category=uav&first_reported__gte=2020-01-01&first_reported__lte=2021-12-31&_size=50",
        ),
        f"q={p['word']}": (f"{API}?q={p['word']}&page_size=50", f"{table}&_search={p['word']}&_size=50"),
    }
    results = {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": machine(), "transfers": copy["rows"],
               "command": " ".join(sys.argv), "sqlite_copy": copy, "queries": {}}
    server = Server(env, args.workers)
    datasette = Datasette(args.sqlite)
    sides = {"api": server.port, "datasette": datasette.port}
    pids = {"api": lambda: server.workers() + backend_pids(args.database_url),
            "datasette": lambda: [datasette.process.pid]}
    try:
        deep, reached = deep_paths(sides, table, args.deep_pages)
        queries[f"deep page {reached}"] = (deep["api"], deep["datasette"])
        log(f"\n{'query':<24} {'API p50':>8} {'DS p50':>8} {'API p95':>8} {'DS p95':>8} "
            f"{'API r/s':>8} {'DS r/s':>8} {'API cpu':>8} {'DS cpu':>8}   (ms; r/s with {args.clients} clients; "
            "cpu ms per request)")
        for name, (api_path, ds_path) in queries.items():
            paths = {"api": api_path, "datasette": ds_path}
            latencies = sequential(sides, paths, requests=args.requests, seconds=args.seconds)
            row = {"paths": paths}
            for side in sides:
                row[side] = {"p50_ms": statistics.median(latencies[side]) * 1000,
                             "p95_ms": percentile(latencies[side], 95) * 1000, "n": len(latencies[side])}
                row[side]["loaded"] = loaded(sides[side], paths[side], clients=args.clients,
                                             requests=args.requests * args.clients, seconds=args.seconds,
                                             pids=pids[side])
            results["queries"][name] = row
            a, d = row["api"], row["datasette"]
            log(f"{name:<24} {a['p50_ms']:8.1f} {d['p50_ms']:8.1f} {a['p95_ms']:8.1f} {d['p95_ms']:8.1f} "
                f"{a['loaded']['rps']:8.1f} {d['loaded']['rps']:8.1f} {a['loaded']['cpu_ms_per_request']:8.2f} "
                f"{d['loaded']['cpu_ms_per_request']:8.2f}")
        if not args.skip_export:
            api = results["api_export"] = export_seconds(server.port, f"{API}?format=csv")
            ds = results["datasette_export"] = export_seconds(
                datasette.port, f"/{args.sqlite.stem}/transfers.csv?_stream=on&_size=max")
            log(f"\nfull CSV export: API {api['rows']:,} rows in {api['seconds']:.1f}s (HTTP {api['status']}); "
                f"Datasette {ds['rows']:,} rows in {ds['seconds']:.1f}s (HTTP {ds['status']})")
    finally:
        server.stop()
        datasette.stop()
    (OUT / "versus_datasette.json").write_text(json.dumps(results, indent=2, default=str))
    log(f"\nresults: {OUT / 'versus_datasette.json'}")


if __name__ == "__main__":
    main()
