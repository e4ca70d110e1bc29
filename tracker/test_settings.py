"""Test settings: the real settings, made fast and hermetic."""

import os

# Only the test environment: never the checkout's .env (which `make run` writes with DEBUG on).
os.environ["ENV_FILE"] = ""
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-deployment-0123456789abcdef")

from .settings import *  # noqa: E402,F401,F403
from .settings import INSTALLED_APPS, REST_FRAMEWORK, STORAGES  # noqa: E402

# The benchmark's synthetic data generator is tested too (tests/test_generate_synthetic.py).
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
SECURE_SSL_REDIRECT = False
# Throttling is tested on its own with low rates and the shared cache (tests/test_limits.py);
# elsewhere it would make tests order-dependent, and its counts would show in query counts.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
          "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"}}
# Tests serve static files through the finders; there is no collectstatic output to look for.
WHITENOISE_AUTOREFRESH = True
