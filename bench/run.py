#!/usr/bin/env python
"""The benchmark: the transfer API over real HTTP against gunicorn, and bulk imports, on PostgreSQL.

    .venv/bin/python bench/run.py                      # 1,000,000 transfers (the issue's scale)
    .venv/bin/python bench/run.py --transfers 10000 --smoke   # CI: small, asserts query counts

It creates the database (default postgres://postgres@127.0.0.1:5432/tracker_bench) if missing,
migrates it, generates the synthetic data unless the same size and seed are already there, starts
gunicorn on a free loopback port with DEBUG off, and measures for each query: latency p50/p95 of
sequential requests, requests/s and p95 with concurrent clients, SQL queries per request (from the
X-Bench-Queries header of bench.middleware), and the floor: the same SQL the API ran (captured with
CaptureQueriesContext) timed directly with psycopg2; then import rows/s against COPY, and a streamed
CSV export of every transfer with the gunicorn worker's peak RSS. Figures go to stdout and to
bench/out/results.json; nothing leaves the loopback interface; every loop is bounded.
"""

import argparse
import csv
import http.client
import io
import json
import os
import platform
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tracker_bench"
LIST_QUERY_LIMIT = 4  # the target: at most 4 SQL queries per list request, whatever the page size
PAGE_P95_TARGET_MS = 200  # issue 16: every explorer page's server time p95 at 1M transfers
API = "/api/v1/transfers/"


def log(message: str):
    print(message, flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


# -- environment -------------------------------------------------------------------------------------


def server_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        ALLOWED_HOSTS="127.0.0.1,testserver",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        LOG_LEVEL="WARNING",
        CONN_MAX_AGE="600",
        PYTHONPATH=str(ROOT),
    )
    return env


def ensure_database(database_url: str):
    import psycopg2

    parts = urllib.parse.urlparse(database_url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"The benchmark only runs against a loopback PostgreSQL, not {parts.hostname}.")
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
                             password=parts.password, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            log(f"creating database {name}")
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def machine() -> dict:
    memory = next((line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")), "?")
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gb": round(int(memory) / 1024 / 1024, 1),
            "python": platform.python_version(), "kernel": platform.release()}


# -- HTTP --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, timeout: float = 120) -> tuple[int, dict, bytes, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept": "application/json"})
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body, time.perf_counter() - started
    finally:
        connection.close()


class Server:
    """gunicorn on a free loopback port, stopped (by its own pid) on exit."""

    def __init__(self, env: dict, workers: int, port: int = 0):
        self.port = port or free_port()
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv
            # The product's gunicorn.conf.py (its workers' start-up and database session), on loopback.
            [str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--bind",
             f"127.0.0.1:{self.port}", "--workers", str(workers), "--timeout", "600", "--log-level", "warning",
             "--access-logfile", "/dev/null"],
            cwd=ROOT, env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if get(self.port, "/healthz", timeout=2)[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not answer /healthz within 60s")

    def workers(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)],  # noqa: S603,S607
                             capture_output=True, text=True, check=False).stdout
        return [int(p) for p in out.split()]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def measure_http(port: int, path: str, *, requests: int, seconds: float, clients: int) -> dict:
    """Sequential latency, then throughput with concurrent clients; both bounded by count and time."""
    status, headers, body, _ = get(port, path)  # warm-up, and the response checked once
    # A worker fills its per-process caches (the State code map) on its first request: that request's
    # count is reported apart as cold_queries. `queries` is the most any
    # measured request ran.
    result = {"status": status, "cold_queries": int(headers.get("x-bench-queries", -1)), "bytes": len(body)}
    if status != 200:
        result["error"] = body[:300].decode("utf-8", "replace")
        return result
    try:
        result["results"] = len(json.loads(body).get("results", [])) if path.startswith(API + "?") else 1
    except (ValueError, AttributeError):
        result["results"] = None
    latencies, counts = [], []
    deadline = time.monotonic() + seconds
    while len(latencies) < requests and time.monotonic() < deadline:
        _, headers, _, elapsed = get(port, path)
        latencies.append(elapsed)
        counts.append(int(headers.get("x-bench-queries", -1)))
    result.update(queries=max(counts, default=result["cold_queries"]), n=len(latencies),
                  p50_ms=percentile(latencies, 50) * 1000, p95_ms=percentile(latencies, 95) * 1000)

    loaded: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client():
        while time.monotonic() < deadline:
            with lock:
                if len(loaded) >= requests * clients:
                    return
            elapsed = get(port, path)[3]
            with lock:
                loaded.append(elapsed)

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.update(clients=clients, rps=len(loaded) / (time.monotonic() - started),
                  loaded_p95_ms=percentile(loaded, 95) * 1000)
    return result


# -- the floor: the API's own SQL, timed directly -------------------------------------------------------


def captured_sql(path: str) -> list[str]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = Client().get(path, HTTP_ACCEPT="application/json")
        if hasattr(response, "streaming_content"):
            for _ in response.streaming_content:
                pass
    return [q["sql"] for q in captured.captured_queries]


def web_session(connection):
    """The session settings of a web worker's connection (tracker/web_session.py), so that the floor
    runs the SQL as the API does (without parallel workers, for one)."""
    from django.conf import settings

    from tracker import web_session

    values = web_session.session_settings(
        statement_timeout_ms=settings.WEB_STATEMENT_TIMEOUT_MS, work_mem=settings.WEB_WORK_MEM
    )
    with connection.cursor() as cursor:
        for name, value in values.items():
            cursor.execute("SELECT set_config(%s, %s, false)", [name, value])
    connection.commit()


def time_raw(database_url: str, statements: list[str], *, repeat: int, seconds: float) -> float:
    """p50 seconds to run the statements and fetch every row, on a fresh psycopg2 connection with a
    web worker's session settings."""
    import psycopg2

    connection = psycopg2.connect(database_url)
    web_session(connection)
    timings = []
    deadline = time.monotonic() + seconds
    try:
        with connection.cursor() as cursor:
            for sql in statements:  # warm-up
                cursor.execute(sql)
                cursor.fetchall() if cursor.description else None
            while len(timings) < repeat and time.monotonic() < deadline:
                started = time.perf_counter()
                for sql in statements:
                    cursor.execute(sql)
                    if cursor.description:
                        cursor.fetchall()
                timings.append(time.perf_counter() - started)
        connection.rollback()
    finally:
        connection.close()
    return statistics.median(timings)


def explain(database_url: str, sql: str) -> str:
    import psycopg2

    connection = psycopg2.connect(database_url)
    web_session(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
    finally:
        connection.rollback()
        connection.close()


def plan_summary(plan: str) -> str:
    nodes = [line.strip().lstrip("-> ").split("  (")[0] for line in plan.splitlines()
             if "(cost=" in line and ("Scan" in line or "Join" in line or "Sort" in line or "Limit" in line)]
    planning = re.search(r"Planning Time: ([\d.]+) ms", plan)
    execution = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return (f"{'; '.join(nodes[:4])} | planned in {planning.group(1) if planning else '?'} ms, "
            f"ran in {execution.group(1) if execution else '?'} ms")


# -- queries -------------------------------------------------------------------------------------------


def pick_parameters() -> dict:
    """Query parameters drawn from the data: the busiest supplier-recipient pair, a mid-frequency word."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.iso3, r.iso3 FROM transfers_transfer t JOIN transfers_state s ON s.id = t.supplier_id "
            "JOIN transfers_state r ON r.id = t.recipient_id GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1"
        )
        supplier, recipient = cursor.fetchone()
        cursor.execute("SELECT description FROM transfers_transfer WHERE slug LIKE 'syn%-t-%' ORDER BY id LIMIT 1")
        word = re.search(r"reported near (\w+)", cursor.fetchone()[0]).group(1)
        cursor.execute("SELECT id FROM transfers_transfer ORDER BY first_reported DESC, id DESC LIMIT 1 OFFSET 500")
        detail = cursor.fetchone()[0]
    return {"supplier": supplier, "recipient": recipient, "word": word, "detail": detail}


def explorer_pages(p: dict) -> dict[str, str]:
    """The explorer's pages (explorer/), on records drawn from the data."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT slug FROM transfers_transfer WHERE id = %s", [p["detail"]])
        transfer = cursor.fetchone()[0]
        # The source and the actor cited most often: the heaviest of their pages.
        cursor.execute("SELECT s.slug FROM transfers_source s WHERE s.id = (SELECT source_id FROM transfers_claim "
                       "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1)")
        source = cursor.fetchone()[0]
        cursor.execute("SELECT a.slug FROM transfers_actor a WHERE a.id = (SELECT claimant_id FROM transfers_claim "
                       "WHERE claimant_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1)")
        actor = cursor.fetchone()[0]
    return {
        "page: overview": "/",
        "page: transfers": "/transfers/",
        "page: transfers pair": f"/transfers/?supplier={p['supplier']}&recipient={p['recipient']}",
        "page: transfers uav 2020-21": "/transfers/?category=uav&reported_after=2020-01-01&reported_before=2021-12-31",
        "page: transfers q": f"/transfers/?q={p['word']}",
        "page: transfer": f"/transfers/{transfer}/",
        "page: source": f"/sources/{source}/",
        "page: state": f"/states/{p['supplier']}/",
        "page: actor": f"/actors/{actor}/",
        "page: network": "/network/",
        "page: network uav": "/network/?category=uav&credibility=3",
        "page: network GEXF": "/network/export.gexf",
        "page: map": "/map/",
    }


def bench_pages(port: int, pages: dict[str, str], args, results: dict):
    log(f"\n{'explorer page':<28} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7} {'p95@' + str(args.clients):>8} {'SQL':>4}"
        f"  (target: p95 under {PAGE_P95_TARGET_MS} ms)")
    for name, path in pages.items():
        r = measure_http(port, path, requests=args.requests, seconds=args.seconds, clients=args.clients)
        r["path"] = path
        if r["status"] != 200:
            log(f"{name:<28} HTTP {r['status']}: {r.get('error', '')[:100]}")
            results["failures"].append(f"{name}: HTTP {r['status']}")
        else:
            over = "  OVER TARGET" if r["p95_ms"] > PAGE_P95_TARGET_MS else ""
            log(f"{name:<28} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['rps']:7.1f} {r['loaded_p95_ms']:8.1f} "
                f"{r['queries']:4d}{over}")
        results["pages"][name] = r


def deep_page(port: int, pages: int, seconds: float) -> tuple[str, int]:
    """Follow `next` links from page 1 (page_size 50); returns the path of the last page reached."""
    path = f"{API}?page_size=50"
    reached = 1
    deadline = time.monotonic() + seconds
    while reached < pages and time.monotonic() < deadline:
        status, _, body, _ = get(port, path)
        if status != 200:
            raise SystemExit(f"{path} answered {status}: {body[:200]!r}")
        following = json.loads(body).get("next")
        if not following:
            break
        parts = urllib.parse.urlsplit(following)
        path = parts.path + "?" + parts.query
        reached += 1
    return path, reached


# -- imports ---------------------------------------------------------------------------------------------


def import_csv(rows: int, prefix: str) -> str:
    from transfers.models import Actor, Materiel, State

    states = list(State.objects.order_by("iso3").values_list("iso3", flat=True))
    materiel = list(Materiel.objects.order_by("id").values_list("slug", flat=True)[:2000])
    actors = list(Actor.objects.order_by("id").values_list("slug", flat=True)[:2000])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["slug", "supplier", "recipient", "supplier_actor", "recipient_actor", "materiel", "quantity",
                     "status", "first_reported", "covert", "description", "via"])
    for i in range(rows):
        supplier = states[(i * 7) % len(states)]
        recipient = states[(i * 7 + 1 + i % 5) % len(states)]
        via = states[(i * 7 + 9) % len(states)] if i % 10 == 0 else ""
        writer.writerow([
            f"{prefix}{i}", supplier, recipient, actors[i % len(actors)] if i % 3 == 0 else "", "",
            materiel[i % len(materiel)], "" if i % 4 == 0 else i % 5000, "delivered",
            f"{2000 + i % 25}-{1 + i % 12:02d}-{1 + i % 28:02d}", "true" if i % 20 == 0 else "false",
            f"Benchmark import row {i}: {materiel[i % len(materiel)]} from {supplier} to {recipient}.", via,
        ])
    return buffer.getvalue()


def delete_imported(prefix: str):
    """The imported transfers removed again, with their records, history and tally counts."""

    from django.db import transaction

    from transfers import tallies
    from transfers.models import Transfer
    from transfers.readmodel import summary

    like = prefix + "%"
    ids = list(Transfer.objects.filter(slug__startswith=prefix).values_list("pk", flat=True))
    with transaction.atomic():
        gone = summary.counted_out(ids)
        tallies.transfers_deleted(ids=ids, delete=lambda: _delete_imported_rows(like))
        summary.add(gone)  # last, as on every write path


def _delete_imported_rows(like: str):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM transfers_historicaltransfervia WHERE transfer_id IN "
            "(SELECT id FROM transfers_transfer WHERE slug LIKE %s)", [like])
        cursor.execute(
            "DELETE FROM transfers_transfervia WHERE transfer_id IN "
            "(SELECT id FROM transfers_transfer WHERE slug LIKE %s)", [like])
        for table in ("transfers_transferrecord", "transfers_transferwords", "transfers_transferparty"):
            cursor.execute(
                f"DELETE FROM {table} WHERE transfer_id IN "  # noqa: S608 (the table names are these constants)
                "(SELECT id FROM transfers_transfer WHERE slug LIKE %s)", [like])
        cursor.execute("DELETE FROM transfers_historicaltransfer WHERE slug LIKE %s", [like])
        cursor.execute("DELETE FROM transfers_transfer WHERE slug LIKE %s", [like])


def bench_imports(database_url: str, rows: int, orm_rows: int) -> dict:
    import psycopg2

    from bench.orm_import import import_with_orm
    from transfers.services.imports import import_transfers_csv

    prefix = f"bench-import-{secrets.token_hex(3)}-"
    text = import_csv(rows, prefix)
    result = {"rows": rows}
    # Untimed: a tenth of the rows, so that every measured import below finds the tables' index
    # pages as warm as the next one does (the first import after the HTTP phase read them from disk
    # and took up to 1.5x as long as the same import just after it).
    warm_up = "\n".join(text.splitlines()[: rows // 10 + 1]) + "\n"
    try:
        import_transfers_csv(file=io.StringIO(warm_up), reason="benchmark warm-up")
    finally:
        delete_imported(prefix)
    vacuum(database_url)
    try:
        outcome = import_transfers_csv(file=io.StringIO(text), reason="benchmark")
        result.update(import_seconds=outcome.seconds, import_rps=rows / outcome.seconds)
        log(f"  import (COPY + history, the database's foreign-key checks): {rows:,} rows in "
            f"{outcome.seconds:.2f}s = {rows / outcome.seconds:,.0f}/s")
    finally:
        delete_imported(prefix)
    vacuum(database_url)  # each import starts from the same all-visible table

    if orm_rows:
        orm_text = "\n".join(text.splitlines()[: orm_rows + 1]) + "\n"
        try:
            started = time.perf_counter()
            import_with_orm(file=io.StringIO(orm_text), reason="benchmark")
            seconds = time.perf_counter() - started
            result.update(orm_rows=orm_rows, orm_seconds=seconds, orm_rps=orm_rows / seconds)
            log(f"  import (bulk_create_with_history): {orm_rows:,} rows in {seconds:.2f}s = "
                f"{orm_rows / seconds:,.0f}/s")
        finally:
            delete_imported(prefix)
        vacuum(database_url)

    # The floor: PostgreSQL's COPY of the same rows straight into the transfer table (no checks, no history).
    from transfers.models import Materiel, State

    states = dict(State.objects.values_list("iso3", "id"))
    materiel = dict(Materiel.objects.values_list("slug", "id"))
    lines = []
    for row in csv.DictReader(io.StringIO(text)):
        lines.append("\t".join([
            "now", "now", row["slug"], str(states[row["supplier"]]), str(states[row["recipient"]]),
            str(materiel[row["materiel"]]), row["quantity"] or "\\N", "", row["status"], "f" if row["covert"] == "false"
            else "t", row["first_reported"], row["description"], "",
        ]) + "\n")
    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.copy_expert(
                "COPY transfers_transfer (created_at, updated_at, slug, supplier_id, recipient_id, "
                "materiel_id, quantity, quantity_note, status, covert, first_reported, description, category) "
                "FROM STDIN", io.StringIO("".join(lines)))
            connection.commit()
            copy_seconds = time.perf_counter() - started
    finally:
        connection.close()
        delete_imported(prefix)
    result.update(copy_seconds=copy_seconds, copy_rps=rows / copy_seconds)
    log(f"  COPY floor: {rows:,} rows in {copy_seconds:.2f}s = {rows / copy_seconds:,.0f}/s")
    vacuum(database_url)
    return result


def checkpoint(database_url: str):
    """CHECKPOINT, so that each import starts just after one, as the others do. A 100k-row import
    writes about 300 MB of WAL; with the default max_wal_size (1 GB), the phase's imports and
    vacuums set checkpoints off, and an import that ran into one wrote full pages for each page it
    touched first: the same import took 6 s or 12 s depending on where the last checkpoint fell."""
    import psycopg2

    connection = psycopg2.connect(database_url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    finally:
        connection.close()


def vacuum(database_url: str):
    """VACUUM (ANALYZE) what the imports wrote and deleted, so that the next run starts as this one
    did: the list order's index answers searches alone only on pages vacuum marked all-visible.
    Then a checkpoint (see ``checkpoint``)."""
    import psycopg2

    connection = psycopg2.connect(database_url)
    connection.autocommit = True
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) transfers_transfer, transfers_historicaltransfer, "
                           "transfers_transfervia, transfers_historicaltransfervia")
    finally:
        connection.close()
    checkpoint(database_url)
    log(f"  vacuumed the imported-then-deleted rows and checkpointed in {time.perf_counter() - started:.1f}s")


# -- CSV export --------------------------------------------------------------------------------------


def bench_export(server: Server) -> dict:
    workers = server.workers()
    for pid in workers:  # reset each worker's peak RSS (VmHWM) so that the peak is the export's own
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=900)
    connection.request("GET", f"{API}?format=csv", headers={"Accept": "text/csv"})
    response = connection.getresponse()
    size = lines = 0
    first_byte = None
    while chunk := response.read(1 << 16):
        first_byte = first_byte or time.perf_counter() - started
        size += len(chunk)
        lines += chunk.count(b"\n")
    connection.close()
    seconds = time.perf_counter() - started
    peaks = {}
    for pid in workers:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks[pid] = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
    return {"status": response.status, "seconds": seconds, "first_byte_seconds": first_byte, "bytes": size,
            "rows": max(lines - 1, 0), "peak_rss_mb": max(peaks.values()), "worker_peaks_mb": sorted(peaks.values())}


# -- main ----------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transfers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn sync workers")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients for requests/s")
    parser.add_argument("--requests", type=int, default=200, help="requests per query (sequential; x clients loaded)")
    parser.add_argument("--seconds", type=float, default=20, help="time bound per query and phase")
    parser.add_argument("--deep-pages", type=int, default=1000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--orm-import-rows", type=int, default=20_000, help="rows for bulk_create_with_history")
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's loopback port (default: a free one)")
    parser.add_argument("--pages-only", action="store_true",
                        help="measure the explorer's pages only (no API lists, imports or export)")
    parser.add_argument("--smoke", action="store_true",
                        help="CI: few requests, small import, no timing targets; fail unless query counts hold")
    args = parser.parse_args()
    if args.smoke:
        # One worker, so that every measured request lands on the worker the warm-up request warmed.
        args.requests, args.seconds, args.deep_pages, args.workers = 5, 10, 20, 1
        args.import_rows, args.orm_import_rows = min(args.import_rows, 2_000), min(args.orm_import_rows, 500)

    ensure_database(args.database_url)
    env = server_env(args.database_url)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.synthetic import synthetic_present

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    if synthetic_present(seed=args.seed, transfers=args.transfers):
        log(f"{args.transfers:,} synthetic transfers (seed {args.seed}) already present")
    else:
        call_command("generate_synthetic", transfers=args.transfers, seed=args.seed, replace=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM transfers_transfer")
        total = cursor.fetchone()[0]
    log(f"database ready: {total:,} transfers ({time.monotonic() - started:.0f}s)")

    results = {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": machine(), "transfers": total,
               "command": " ".join(sys.argv), "queries": {}, "pages": {}, "failures": []}
    p = pick_parameters()
    queries = {
        "list unfiltered": f"{API}?page_size=50",
        "supplier+recipient": f"{API}?supplier={p['supplier']}&recipient={p['recipient']}&page_size=50",
        "category+date range": f"{API}?category=uav&reported_after=2020-01-01&reported_before=2021-12-31&page_size=50",
        "q text search": f"{API}?q={p['word']}&page_size=50",
        "q, a word in no record": f"{API}?q=zzzqx&page_size=50",
        "contested only": f"{API}?stance=denies&page_size=50",
    }

    server = Server(env, args.workers, args.port)
    try:
        bench_pages(server.port, explorer_pages(p), args, results)
        if args.pages_only:
            return finish(results)
        deep_started = time.monotonic()
        deep, reached = deep_page(server.port, args.deep_pages, args.seconds * 6)
        log(f"deep page: followed next links to page {reached} in {time.monotonic() - deep_started:.1f}s")
        queries[f"deep page ({reached})"] = deep
        queries["detail"] = f"{API}{p['detail']}/"
        queries["list page_size=10"] = f"{API}?page_size=10"
        queries["list page_size=200"] = f"{API}?page_size=200"

        log(f"\n{'query':<24} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7} {'p95@' + str(args.clients):>8} {'SQL':>4} "
            f"{'raw ms':>8} {'API/raw':>7}  plan of the main query")
        for name, path in queries.items():
            r = measure_http(server.port, path, requests=args.requests, seconds=args.seconds, clients=args.clients)
            r["path"] = path
            if r["status"] == 200:
                statements = captured_sql(path)
                r["raw_ms"] = time_raw(args.database_url, statements, repeat=args.requests, seconds=args.seconds) * 1000
                r["ratio"] = r["p50_ms"] / r["raw_ms"] if r["raw_ms"] else None
                # The page query: the last statement is what belongs to the page (route, claims, events),
                # and a search may run its id lookup before the page.
                main_sql = statements[-2] if len(statements) >= 2 else "".join(statements)
                plan = explain(args.database_url, main_sql) if main_sql else ""
                r["sql"], r["plan"], r["plan_summary"] = statements, plan, plan_summary(plan)
                log(f"{name:<24} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['rps']:7.1f} {r['loaded_p95_ms']:8.1f} "
                    f"{r['queries']:4d} {r['raw_ms']:8.1f} {r['ratio']:7.1f}  {r['plan_summary']}"
                    + (f"  (cold: {r['cold_queries']} SQL)" if r["cold_queries"] != r["queries"] else ""))
            else:
                log(f"{name:<24} HTTP {r['status']}: {r.get('error', '')[:100]}")
                results["failures"].append(f"{name}: HTTP {r['status']}")
            results["queries"][name] = r
            if name != "detail" and r["queries"] > LIST_QUERY_LIMIT:
                results["failures"].append(f"{name}: {r['queries']} SQL queries (limit {LIST_QUERY_LIMIT})")
        # Counts and the sync feed (issue 15): their own targets, no per-list query limit.
        counts = {
            "facets, every transfer": "/api/v1/transfers/facets/",
            "facets, one supplier": f"/api/v1/transfers/facets/?supplier={p['supplier']}",
            # Selections the summary cannot count (two filters, a search): counted over their transfers.
            "facets, pair + dates": f"/api/v1/transfers/facets/?supplier={p['supplier']}&recipient={p['recipient']}"
                                    "&reported_after=2020-01-01&reported_before=2021-12-31",
            "facets, q": f"/api/v1/transfers/facets/?q={p['word']}",
            "stats by year,supplier": "/api/v1/stats/transfers/?by=year,supplier",
            "stats, one supplier": f"/api/v1/stats/transfers/?by=year,recipient&supplier={p['supplier']}",
            "feed page": f"{API}?updated_since=2000-01-01T00:00:00Z&page_size=50",
            "deletions page": "/api/v1/deletions/?since=2000-01-01T00:00:00Z",
        }
        log(f"\n{'counts and feed':<24} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7} {'p95@' + str(args.clients):>8} "
            f"{'SQL':>4}")
        results["counts"] = {}
        for name, path in counts.items():
            r = measure_http(server.port, path, requests=args.requests, seconds=args.seconds, clients=args.clients)
            r["path"] = path
            results["counts"][name] = r
            if r["status"] != 200:
                log(f"{name:<24} HTTP {r['status']}: {r.get('error', '')[:100]}")
                results["failures"].append(f"{name}: HTTP {r['status']}")
                continue
            log(f"{name:<24} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['rps']:7.1f} {r['loaded_p95_ms']:8.1f} "
                f"{r['queries']:4d}")
        small, large = results["queries"]["list page_size=10"], results["queries"]["list page_size=200"]
        if small["queries"] != large["queries"]:
            results["failures"].append(f"query count depends on page size: {small['queries']} vs {large['queries']}")

        log("\nimports")
        results["imports"] = bench_imports(args.database_url, args.import_rows, args.orm_import_rows)

        if not args.skip_export:
            log("\nCSV export of every transfer")
            e = results["export"] = bench_export(server)
            log(f"  HTTP {e['status']}: {e['rows']:,} rows, {e['bytes'] / 1e6:,.0f} MB in {e['seconds']:.1f}s "
                f"(first byte {e['first_byte_seconds'] or 0:.2f}s); worker peak RSS {e['peak_rss_mb']:.0f} MB")
            if e["status"] != 200 or e["rows"] != total:
                results["failures"].append(f"CSV export: HTTP {e['status']}, {e['rows']} of {total} rows")
    finally:
        server.stop()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE transfers_transfer")
    finish(results)


def finish(results: dict):
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2, default=str))
    log(f"\nresults: {OUT / 'results.json'}")
    if results["failures"]:
        log("FAILED:\n  " + "\n  ".join(results["failures"]))
        sys.exit(1)


if __name__ == "__main__":
    main()
