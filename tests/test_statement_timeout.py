"""A web worker's queries are stopped after settings.WEB_STATEMENT_TIMEOUT_MS, and the API says so (503)."""

import pytest
from django.db import connection

from .factories import TransferFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's"),
]


@pytest.fixture
def reset_timeout():
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET statement_timeout; RESET max_parallel_workers_per_gather; RESET work_mem")


def show(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def test_a_web_worker_connection_gets_the_timeout_and_no_parallel_workers(settings, reset_timeout):
    from tracker.web_session import configure

    # The server's defaults, or this proves nothing.
    assert show("max_parallel_workers_per_gather") != "0" and show("work_mem") != "32MB"
    settings.WEB_STATEMENT_TIMEOUT_MS = 1234
    configure(sender=None, connection=connection)
    assert show("statement_timeout") == "1234ms"
    assert show("max_parallel_workers_per_gather") == "0"
    assert show("work_mem") == "32MB"


def test_a_timeout_of_0_leaves_the_server_default(settings, reset_timeout):
    from tracker.web_session import configure

    default = show("statement_timeout")
    settings.WEB_STATEMENT_TIMEOUT_MS = 0
    configure(sender=None, connection=connection)
    assert show("statement_timeout") == default
    assert show("max_parallel_workers_per_gather") == "0"


def test_a_new_connection_of_a_web_worker_starts_with_them():
    from django.db import connections

    import tracker.wsgi  # noqa: F401 - a web worker's start: connects tracker.web_session.configure

    fresh = connections.create_connection("default")
    try:
        with fresh.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            assert cursor.fetchone()[0] == "0"
    finally:
        fresh.close()


def test_a_stopped_query_answers_503_in_json(client, monkeypatch, reset_timeout):
    TransferFactory()
    from transfers.readmodel import documents

    slow = documents.document_rows
    monkeypatch.setattr(documents, "document_rows", lambda: slow().extra(where=["pg_sleep(0.5) IS NULL"]))
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '50ms'")
    # A savepoint, rolled back, keeps the test's own transaction usable after the cancelled statement
    # (a web request runs in autocommit, where nothing needs undoing).
    from django.db import transaction

    with transaction.atomic():
        response = client.get("/api/v1/transfers/")
        transaction.set_rollback(True)
    assert response.status_code == 503
    assert response.json()["detail"].startswith("The query ran longer than the server allows")
