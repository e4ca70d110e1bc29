"""Settings for the benchmark's gunicorn: production settings plus a query-count response header.

The header comes from ``bench.middleware.QueryCountMiddleware``; production never loads it.
"""

import warnings

from tracker.settings import *  # noqa: F401,F403
from tracker.settings import INSTALLED_APPS, MIDDLEWARE, REST_FRAMEWORK, STORAGES

# The synthetic data generator (manage.py generate_synthetic) belongs to the benchmark, not the product.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]

MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
# The benchmark is one client hammering loopback; throttles would measure themselves.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": [], "DEFAULT_THROTTLE_RATES": {}}

# The API serves no static files here; whitenoise's warning about the absent STATIC_ROOT is noise.
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
WHITENOISE_AUTOREFRESH = True  # served from the finders; no collectstatic output needed for a benchmark
# The explorer's pages name their stylesheet with {% static %}: without collectstatic's manifest.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
