"""docker-compose.yml wires PostgreSQL 15 and the app as documented (no Docker engine needed)."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_it_runs_postgresql_15_with_a_health_check_and_a_named_volume():
    db = compose()["services"]["db"]
    assert db["image"].startswith("postgres:15")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose()["volumes"]


def test_the_web_app_waits_for_a_healthy_database_migrates_loads_as_make_run_does_and_serves_with_gunicorn():
    web = compose()["services"]["web"]
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    command = web["command"]
    assert 'DATABASE_URL="postgres://tracker:$${POSTGRES_PASSWORD}@db:5432/tracker"' in command
    # The fixtures load with their first history entries, as `make run` loads them (not raw loaddata).
    make_load = re.search(r"manage.py (load_fixtures [^\n]*)", (ROOT / "Makefile").read_text()).group(1)
    assert f"manage.py {make_load.split(' --verbosity')[0]}" in command
    assert "loaddata" not in command
    assert command.index("migrate") < command.index("load_fixtures") < command.index("gunicorn")
    assert web["environment"]["DEBUG"] == "false"


def test_secrets_come_from_the_env_file_never_from_the_shell_or_a_default():
    text = (ROOT / "docker-compose.yml").read_text()
    # ${VAR:?...} is resolved for every compose command (exec, logs, down), not only `up`.
    assert ":?" not in text
    assert "SECRET_KEY" not in text.split("services:")[1]
    assert "POSTGRES_PASSWORD:" not in text  # no inline (default) password
    for service in compose()["services"].values():
        assert service["env_file"] == [{"path": ".env", "required": True}]
    # What `make .env` writes carries both secrets.
    makefile = (ROOT / "Makefile").read_text()
    assert "SECRET_KEY=" in makefile and "POSTGRES_PASSWORD=" in makefile


def test_the_app_is_published_on_this_machine_only_unless_asked():
    (port,) = compose()["services"]["web"]["ports"]
    assert port == "${WEB_BIND:-127.0.0.1}:${WEB_PORT:-8000}:8000"
    assert "db" not in [name for name, service in compose()["services"].items() if "ports" in service]


def test_the_image_never_carries_the_local_env_file_or_database():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", "db.sqlite3", ".venv", ".venv-test"} <= set(ignored)


def test_the_image_collects_static_files_for_whitenoise():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "collectstatic" in dockerfile
    assert "gunicorn" in dockerfile
    requirements = (ROOT / "requirements.txt").read_text()
    assert "whitenoise" in requirements and "gunicorn" in requirements
