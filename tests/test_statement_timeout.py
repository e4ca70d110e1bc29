"""A web worker's PostgreSQL sessions open with the web session settings (tracker/web_session.py,
passed by settings.py as libpq options when gunicorn.conf.py marks the web process); its queries are
stopped after WEB_STATEMENT_TIMEOUT_MS, and the API says so (503)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tracker import web_session

from .factories import TransferFactory

ROOT = Path(__file__).resolve().parent.parent

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")


@pytest.fixture
def reset_timeout():
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET statement_timeout; RESET max_parallel_workers_per_gather; RESET work_mem")


def show(cursor, name: str) -> str:
    cursor.execute(f"SHOW {name}")
    return cursor.fetchone()[0]


def settings_of(env: dict) -> dict:
    """tracker.settings' DATABASES["default"]["OPTIONS"] as a process with ``env`` reads it."""
    code = "import json; from tracker import settings as s; print(json.dumps(s.DATABASES['default'].get('OPTIONS')))"
    out = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), "ENV_FILE": "", "DEBUG": "true", **env},
    ).stdout
    return json.loads(out) or {}


def test_the_session_settings_and_their_libpq_form():
    values = web_session.session_settings(statement_timeout_ms=1234, work_mem="32MB")
    assert values == {"max_parallel_workers_per_gather": "0", "work_mem": "32MB", "statement_timeout": "1234ms"}
    assert web_session.libpq_options(values) == (
        "-c max_parallel_workers_per_gather=0 -c work_mem=32MB -c statement_timeout=1234ms"
    )
    assert "statement_timeout" not in web_session.session_settings(statement_timeout_ms=0, work_mem="4MB")
    with pytest.raises(ValueError, match="WEB_WORK_MEM"):
        web_session.session_settings(statement_timeout_ms=0, work_mem="32MB -c evil=1")


def test_only_the_web_process_on_postgresql_gets_them_in_its_database_settings():
    url = "postgres://postgres@127.0.0.1:5432/unused"
    web = settings_of({"DATABASE_URL": url, "WEB_PROCESS": "true", "WEB_STATEMENT_TIMEOUT_MS": "1234"})
    assert web["options"] == "-c max_parallel_workers_per_gather=0 -c work_mem=32MB -c statement_timeout=1234ms"
    assert "options" not in settings_of({"DATABASE_URL": url})
    assert "options" not in settings_of({"DATABASE_URL": "sqlite:///unused.sqlite3", "WEB_PROCESS": "true"})


@on_postgresql
@pytest.mark.django_db
def test_a_connection_opened_with_the_web_options_runs_with_them():
    from django.db.backends.postgresql.base import DatabaseWrapper

    options = web_session.libpq_options(web_session.session_settings(statement_timeout_ms=1234, work_mem="32MB"))
    with connection.cursor() as cursor:  # the server's defaults, or this proves nothing
        assert show(cursor, "max_parallel_workers_per_gather") != "0" and show(cursor, "work_mem") != "32MB"
    web = DatabaseWrapper({**connection.settings_dict, "OPTIONS": {**connection.settings_dict["OPTIONS"],
                                                                   "options": options}})
    try:
        with web.cursor() as cursor:
            assert show(cursor, "statement_timeout") == "1234ms"
            assert show(cursor, "max_parallel_workers_per_gather") == "0"
            assert show(cursor, "work_mem") == "32MB"
    finally:
        web.close()


@on_postgresql
@pytest.mark.django_db
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
