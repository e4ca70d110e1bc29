"""gunicorn's configuration for the web server: ``gunicorn -c gunicorn.conf.py`` (Dockerfile,
docker-compose.yml, bench/run.py). Flags given on the command line (--bind, --workers) win."""

import gc

wsgi_app = "tracker.wsgi:application"
bind = "0.0.0.0:8000"
workers = 3
accesslog = "-"

# The workers' PostgreSQL sessions get the web session settings (tracker/settings.py WEB_PROCESS,
# tracker/web_session.py); management commands run without this and keep the server's defaults.
raw_env = ["WEB_PROCESS=true"]


def post_worker_init(worker):
    """Load what the first request would (the URLconf: views, serializers, DRF), then move every
    object alive now out of the garbage collector's reach (``gc.freeze``). They live as long as the
    worker; without this, each full collection walked them all: about 100k objects, a 50 ms pause
    every few hundred requests on the benchmark's machine (3 ms frozen)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and the views it names
    gc.collect()
    gc.freeze()
