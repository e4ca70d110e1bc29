"""A web worker's queries are stopped after settings.WEB_STATEMENT_TIMEOUT_MS, and the API says so (503)."""

import pytest
from django.db import connection

from transfers import selectors

from .factories import TransferFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's"),
]


@pytest.fixture
def reset_timeout():
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")


def test_a_web_worker_connection_gets_the_timeout(settings, reset_timeout):
    from tracker.wsgi import limit_statement_time

    settings.WEB_STATEMENT_TIMEOUT_MS = 1234
    limit_statement_time(sender=None, connection=connection)
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "1234ms"


def test_a_stopped_query_answers_503_in_json(client, monkeypatch, reset_timeout):
    TransferFactory()
    slow = selectors.transfer_rows
    monkeypatch.setattr(selectors, "transfer_rows", lambda **kw: slow(**kw).extra(where=["pg_sleep(0.5) IS NULL"]))
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
