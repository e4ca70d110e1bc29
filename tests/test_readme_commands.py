"""Every `manage.py` command the README shows runs as written, from a checkout set up by `make`.

The commands run in order in a copy of the checkout (its own SQLite database), with the `.env` that
`make` writes there and nothing else: no DEBUG, SECRET_KEY or DATABASE_URL from this environment.
"""

import os
import re
import shutil
import subprocess  # noqa: S404
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COPY_IGNORE = shutil.ignore_patterns(".git", ".venv*", ".env", "db.sqlite3", "staticfiles", "__pycache__", "bench")


def readme_commands() -> list[str]:
    """The README's `.venv/bin/python manage.py ...` lines in code blocks, continuations joined."""
    text = (ROOT / "README.md").read_text().replace("\\\n", " ")
    commands = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(".venv/bin/python manage.py"):
            commands.append(re.sub(r"\s+#.*$", "", line))
    return commands


def test_the_readme_shows_the_commands_users_asked_about():
    names = {command.split()[2] for command in readme_commands()}
    assert {"migrate", "verify_quotes", "drf_create_token", "changepassword", "dumpdata"} <= names


@pytest.fixture
def checkout(tmp_path):
    copy = tmp_path / "checkout"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE)
    # The checkout's runtime environment: this virtualenv (it has the runtime requirements).
    (copy / ".venv").symlink_to(sys.prefix)
    return copy


def test_every_readme_command_runs_as_written_from_a_made_checkout(checkout):
    env = {k: v for k, v in os.environ.items()
           if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ENV_FILE", "DJANGO_SETTINGS_MODULE"}}
    made = subprocess.run(["make", ".env"], cwd=checkout, env=env, capture_output=True, text=True)  # noqa: S607
    assert made.returncode == 0, made.stderr
    assert "DEBUG=true" in (checkout / ".env").read_text()
    password = "a-local-password-for-the-readme-test-7"
    for command in readme_commands():
        result = subprocess.run(  # noqa: S602 - the README's own commands, globs and all
            command, shell=True, cwd=checkout, env=env, capture_output=True, text=True,
            input=f"{password}\n{password}\n", timeout=300,
        )
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stderr, f"{command}\n{result.stderr}"
