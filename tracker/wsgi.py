import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
application = get_wsgi_application()


def limit_statement_time(sender, connection, **kwargs):
    """On each PostgreSQL connection of a web worker: settings.WEB_STATEMENT_TIMEOUT_MS."""
    from django.conf import settings

    if connection.vendor == "postgresql" and settings.WEB_STATEMENT_TIMEOUT_MS > 0:
        limit = f"{settings.WEB_STATEMENT_TIMEOUT_MS}ms"
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, false)", [limit])


def _warm_up():
    """Per-process caches a list request would otherwise fill on its first use (with an extra query)."""
    from django.db import DatabaseError, connection

    from transfers.filters import load_state_codes

    try:
        load_state_codes()
    except DatabaseError:
        pass  # no database yet, or not migrated: the first State-filtered request loads the map
    finally:
        if not connection.in_atomic_block:  # (a test's transaction)
            connection.close()  # not one connection shared by the workers of a preloading server


from django.db.backends.signals import connection_created  # noqa: E402 - after the app is set up

connection_created.connect(limit_statement_time, dispatch_uid="web_statement_timeout")
_warm_up()
