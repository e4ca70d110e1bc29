"""The WSGI application. The web server's own settings and start-up (gc.freeze, the PostgreSQL
session settings of its workers) are in gunicorn.conf.py, not here: importing this does no work."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
application = get_wsgi_application()
