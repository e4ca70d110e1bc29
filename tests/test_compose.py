"""docker-compose.yml wires PostgreSQL 15 and the app as documented (no Docker engine needed)."""

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


def test_the_web_app_waits_for_a_healthy_database_migrates_and_serves_with_gunicorn():
    web = compose()["services"]["web"]
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["environment"]["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in web["environment"]["DATABASE_URL"]
    command = web["command"]
    assert command.index("migrate") < command.index("gunicorn")
    assert web["environment"]["DEBUG"] == "false"
    assert "SECRET_KEY" in web["environment"]


def test_the_image_collects_static_files_for_whitenoise():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "collectstatic" in dockerfile
    assert "gunicorn" in dockerfile
    requirements = (ROOT / "requirements.txt").read_text()
    assert "whitenoise" in requirements and "gunicorn" in requirements
