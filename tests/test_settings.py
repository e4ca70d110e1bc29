"""Settings come from the environment, strictly, and are secure by default."""

import os
import subprocess  # noqa: S404
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    clean["DJANGO_SETTINGS_MODULE"] = "tracker.settings"
    return subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def settings_value(name, **env):
    result = run_manage("shell", "-c", f"from django.conf import settings; print(settings.{name})", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # `shell` may first list its auto-imports


def test_debug_is_off_unless_asked_for():
    assert settings_value("DEBUG", SECRET_KEY="x" * 60) == "False"
    assert settings_value("DEBUG", DEBUG="true") == "True"


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_database_url_selects_the_database():
    engine = settings_value(
        "DATABASES['default']['ENGINE']", DEBUG="true", DATABASE_URL="postgres://postgres@127.0.0.1:5432/tracker"
    )
    assert engine == "django.db.backends.postgresql"
    assert settings_value("DATABASES['default']['ENGINE']", DEBUG="true") == "django.db.backends.sqlite3"


def test_allowed_hosts_come_from_the_environment():
    assert settings_value("ALLOWED_HOSTS", DEBUG="true", ALLOWED_HOSTS="a.org,b.org") == "['a.org', 'b.org']"


def test_production_settings_pass_the_deploy_check_with_no_warnings():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY="a-long-random-production-secret-" + "k3y" * 20, ALLOWED_HOSTS="tracker.example.org",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_debug_settings_do_fail_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="true")
    assert result.returncode != 0


