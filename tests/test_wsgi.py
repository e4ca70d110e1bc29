"""The web server's start-up: gunicorn.conf.py, not side effects of importing tracker/wsgi.py."""

import gc
import importlib
import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def gunicorn_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_importing_the_wsgi_module_only_builds_the_application():
    import tracker.wsgi

    gc.unfreeze()
    importlib.reload(tracker.wsgi)
    assert gc.get_freeze_count() == 0
    assert callable(tracker.wsgi.application)


def test_a_worker_loads_its_views_and_freezes_what_it_loaded_out_of_the_collectors_reach():
    conf = gunicorn_conf()
    gc.unfreeze()
    try:
        conf.post_worker_init(worker=None)
        assert "transfers.api.views" in sys.modules
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()  # the rest of the test run collects as usual


def test_gunicorn_serves_the_wsgi_application_and_marks_its_processes_as_the_web_process():
    conf = gunicorn_conf()
    assert conf.wsgi_app == "tracker.wsgi:application"
    assert "WEB_PROCESS=true" in conf.raw_env
    # gunicorn's own reading of the file: its settings validate.
    from gunicorn.config import Config

    config = Config()
    for name in ("wsgi_app", "raw_env", "post_worker_init", "bind", "workers"):
        config.set(name, getattr(conf, name))
    assert config.env == {"WEB_PROCESS": "true"}


def test_the_images_and_the_benchmark_start_gunicorn_with_its_config():
    for path in ("Dockerfile", "docker-compose.yml", "bench/run.py"):
        text = (ROOT / path).read_text()
        assert "gunicorn.conf.py" in text, path
        assert "tracker.wsgi:application" not in text, path


def test_management_commands_are_not_the_web_process():
    out = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", "from django.conf import settings; print(settings.WEB_PROCESS)"],
        capture_output=True, text=True, check=True, cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "tracker.settings", "ENV_FILE": "", "DEBUG": "true", "PATH": ""},
    ).stdout
    assert out.strip() == "False"
